package customstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/oauthkit/oauthkit/provider"
)

// CreateToken stores r, refusing it with ErrGrantRevoked while its grant or client carries a
// revocation mark. The check and the write are one transaction.
func (s *Store) CreateToken(ctx context.Context, r *provider.Record) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("customstore: create token: %w", err)
	}
	now := s.now()
	return s.update(func(tx *bolt.Tx) error {
		if live(tx.Bucket(bGrantsRv), r.GrantID, now) || live(tx.Bucket(bClientRv), r.ClientID, now) {
			return fail(provider.ErrGrantRevoked, "create token")
		}
		old, err := load(tx, r.Kind, r.Key)
		if err != nil {
			return err
		}
		if old != nil {
			if !old.Expired(now) {
				return fail(provider.ErrConflict, "create token")
			}
			if err := remove(tx, old); err != nil {
				return err
			}
		}
		return put(tx, r)
	})
}

// Token returns the live record of the given kind and key, or ErrNotFound.
func (s *Store) Token(ctx context.Context, kind provider.Kind, key string) (r *provider.Record, err error) {
	now := s.now()
	err = s.view(func(tx *bolt.Tx) error {
		r, err = load(tx, kind, key)
		if err == nil && (r == nil || r.Expired(now)) {
			return fail(provider.ErrNotFound, "token")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteToken removes the record of the given kind and key; a missing or expired one is
// ErrNotFound.
func (s *Store) DeleteToken(ctx context.Context, kind provider.Kind, key string) error {
	now := s.now()
	var outcome error // an answer that must not roll back the deletion
	err := s.update(func(tx *bolt.Tx) error {
		r, err := load(tx, kind, key)
		if err != nil || r == nil {
			return cmp.Or(err, fail(provider.ErrNotFound, "delete token"))
		}
		if r.Expired(now) {
			outcome = fail(provider.ErrNotFound, "delete token")
		}
		return remove(tx, r)
	})
	return cmp.Or(err, outcome)
}

// RedeemCode marks the authorization code used, once. Presenting it again deletes the other
// records of its grant (the tokens issued from it) and returns the record with
// ErrAlreadyUsed; it does not mark the grant.
func (s *Store) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	return s.use(provider.AuthorizationCode, key, false)
}

// RotateRefreshToken marks the refresh token used, once. Presenting it again within
// provider.RotationGrace changes nothing (a loser of a concurrent rotation); later, it
// revokes the grant whole, keeping only the used token, and the error matches both
// ErrAlreadyUsed and ErrGrantRevoked.
func (s *Store) RotateRefreshToken(ctx context.Context, key string) (*provider.Record, error) {
	return s.use(provider.RefreshToken, key, true)
}

// use is RedeemCode and RotateRefreshToken: one read-write transaction reads the record,
// decides, and writes, so of concurrent callers exactly one sees it unused.
func (s *Store) use(kind provider.Kind, key string, refresh bool) (r *provider.Record, err error) {
	now := s.now()
	var outcome error // ErrAlreadyUsed comes with writes that must be committed, not rolled back
	err = s.update(func(tx *bolt.Tx) error {
		r, err = load(tx, kind, key)
		switch {
		case err != nil:
			return err
		case r == nil || r.Expired(now):
			r = nil
			return fail(provider.ErrNotFound, "use "+string(kind))
		case r.UsedAt.IsZero():
			r.UsedAt = now.Round(0)
			return put(tx, r)
		case refresh && now.Sub(r.UsedAt) < provider.RotationGrace:
			return fail(provider.ErrAlreadyUsed, "rotate refresh token")
		case refresh:
			outcome = fmt.Errorf("%w: rotate refresh token: %w: %w", errContract, provider.ErrAlreadyUsed, provider.ErrGrantRevoked)
		default:
			outcome = fail(provider.ErrAlreadyUsed, "redeem code")
		}
		return revoke(tx, r.GrantID, now, refresh, tokenKey(kind, key))
	})
	return r, cmp.Or(err, outcome)
}

// RevokeGrant deletes the grant's records whose kind is among kinds; with no kinds it deletes
// them all and marks the grant revoked.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, kinds ...provider.Kind) error {
	now := s.now()
	return s.update(func(tx *bolt.Tx) error {
		if len(kinds) == 0 {
			return revoke(tx, grantID, now, true, nil)
		}
		return eachIndexed(tx, bByGrant, grantID, func(r *provider.Record) error {
			if !slices.Contains(kinds, r.Kind) {
				return nil
			}
			return remove(tx, r)
		})
	})
}

// revoke deletes every record of the grant but the one under keep and, if mark is set, marks
// the grant revoked until the latest expiry among them, at least provider.MinRevokedMarker.
func revoke(tx *bolt.Tx, grantID string, now time.Time, mark bool, keep []byte) error {
	until := now.Add(provider.MinRevokedMarker)
	err := eachIndexed(tx, bByGrant, grantID, func(r *provider.Record) error {
		if string(tokenKey(r.Kind, r.Key)) == string(keep) {
			return nil
		}
		if r.ExpiresAt.After(until) {
			until = r.ExpiresAt
		}
		return remove(tx, r)
	})
	if err != nil || !mark {
		return err
	}
	return extend(tx.Bucket(bGrantsRv), grantID, until)
}

// eachIndexed calls fn for every record under name in the index bucket idx. The entries are
// collected first, since fn may delete them.
func eachIndexed(tx *bolt.Tx, idx []byte, name string, fn func(*provider.Record) error) error {
	if len(name) > provider.MaxKeyLen {
		return nil // nothing longer is ever stored
	}
	prefix := field(name)
	var keys [][]byte
	c := tx.Bucket(idx).Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
		keys = append(keys, slices.Clone(k[len(prefix):]))
	}
	for _, k := range keys {
		var r provider.Record
		if err := decode(tx.Bucket(bTokens).Get(k), &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return nil
}

// load returns the record stored under kind and key, expired or not, or nil.
func load(tx *bolt.Tx, kind provider.Kind, key string) (*provider.Record, error) {
	v := tx.Bucket(bTokens).Get(tokenKey(kind, key))
	if v == nil {
		return nil, nil
	}
	r := new(provider.Record)
	if err := decode(v, r); err != nil {
		return nil, err
	}
	return r, nil
}

// put writes r and its index entries.
func put(tx *bolt.Tx, r *provider.Record) error {
	k := tokenKey(r.Kind, r.Key)
	if err := tx.Bucket(bTokens).Put(k, encode(r)); err != nil {
		return err
	}
	if err := tx.Bucket(bByGrant).Put(append(field(r.GrantID), k...), nil); err != nil {
		return err
	}
	return tx.Bucket(bByClient).Put(append(field(r.ClientID), k...), nil)
}

// remove deletes r and its index entries.
func remove(tx *bolt.Tx, r *provider.Record) error {
	k := tokenKey(r.Kind, r.Key)
	if err := tx.Bucket(bByGrant).Delete(append(field(r.GrantID), k...)); err != nil {
		return err
	}
	if err := tx.Bucket(bByClient).Delete(append(field(r.ClientID), k...)); err != nil {
		return err
	}
	return tx.Bucket(bTokens).Delete(k)
}

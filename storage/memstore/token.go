package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// CreateToken stores a copy of r. It returns ErrConflict if a live record of the same kind
// and key exists, ErrInvalid if r fails Record.Validate, and ErrGrantRevoked, storing
// nothing, if r's grant or client carries a live revocation mark. The check and the write
// happen under one lock, so no revocation can fall between them.
func (s *Store) CreateToken(ctx context.Context, r *provider.Record) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("memstore: create token: %w", err)
	}
	c := r.Clone()
	// The key is often a piece of the token itself (its signature part); a copy keeps the
	// whole token string from staying alive for as long as the record does.
	c.Key = strings.Clone(r.Key)
	id := tokenID{c.Kind, c.Key}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if until, ok := s.revoked[r.GrantID]; ok && now.Before(until) {
		return errGrantRevoked
	}
	if until, ok := s.deletedClients[r.ClientID]; ok && now.Before(until) {
		return errGrantRevoked
	}
	if old, ok := s.tokens[id]; ok {
		if !old.Expired(now) {
			return errTokenConflict
		}
		s.remove(id, old)
	}
	s.tokens[id] = c
	// A slice, not a set: a grant has a handful of records, and a map per grant was a third
	// of the live heap under load.
	s.grants[c.GrantID] = append(s.grants[c.GrantID], id)
	cl := s.byClient[c.ClientID]
	if cl == nil {
		cl = make(map[tokenID]struct{}, 4)
		s.byClient[c.ClientID] = cl
	}
	cl[id] = struct{}{}
	return nil
}

// Token returns a copy of the live record of the given kind and key, or ErrNotFound.
func (s *Store) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	now := s.now()
	s.mu.RLock()
	r, ok := s.tokens[tokenID{kind, key}]
	if !ok || r.Expired(now) {
		s.mu.RUnlock()
		return nil, errTokenNotFound
	}
	c := r.Clone()
	s.mu.RUnlock()
	return c, nil
}

// DeleteToken removes the live record of the given kind and key, or returns ErrNotFound.
func (s *Store) DeleteToken(ctx context.Context, kind provider.Kind, key string) error {
	id := tokenID{kind, key}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.tokens[id]
	if !ok {
		return errDeleteNotFound
	}
	s.remove(id, r)
	if r.Expired(now) {
		return errDeleteNotFound
	}
	return nil
}

// RedeemCode marks the AuthorizationCode record under key as used and returns a copy. A
// second call returns ErrAlreadyUsed with the record and deletes every other record of its
// grant, without marking the grant revoked, so the redemption that won still gets its
// tokens; the code itself stays, used, until it expires, so that every later presentation is
// recognised as reuse too.
func (s *Store) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	return s.use(tokenID{provider.AuthorizationCode, key}, errCodeNotFound, errCodeUsed, false)
}

// RotateRefreshToken marks the RefreshToken record under key as used and returns a copy. A
// second call within provider.RotationGrace of the rotation returns ErrAlreadyUsed with the
// record and changes nothing (a loser of a concurrent rotation); a later one returns
// ErrAlreadyUsed and ErrGrantRevoked with the record and revokes its grant whole: every
// other record deleted and the grant marked revoked; the token itself stays, used, until it
// expires.
func (s *Store) RotateRefreshToken(ctx context.Context, key string) (*provider.Record, error) {
	return s.use(tokenID{provider.RefreshToken, key}, errRefreshNotFound, errRefreshUsed, true)
}

// use marks the record under id as used, once, under the write lock. On reuse it deletes
// every other record of the grant; if mark is set it does so only past
// provider.RotationGrace, and marks the grant revoked.
func (s *Store) use(id tokenID, notFound, alreadyUsed error, mark bool) (*provider.Record, error) {
	now := s.now()
	s.mu.Lock()
	r, ok := s.tokens[id]
	if !ok || r.Expired(now) {
		s.mu.Unlock()
		return nil, notFound
	}
	if !r.UsedAt.IsZero() {
		if mark && now.Sub(r.UsedAt) < provider.RotationGrace {
			s.mu.Unlock()
			return r.Clone(), alreadyUsed
		}
		s.revokeWhole(r.GrantID, id, now, mark)
		s.mu.Unlock()
		if mark {
			return r.Clone(), errRefreshReused
		}
		return r.Clone(), alreadyUsed
	}
	r.UsedAt = now.Round(0) // no monotonic reading in a stored time
	s.mu.Unlock()
	// Copy outside the lock: a stored record is never written again once UsedAt is set (a
	// new record under the same key is a new object), so only reads of r can race with this.
	return r.Clone(), nil
}

// RevokeGrant deletes every record of the grant whose kind is among kinds. With no kinds it
// revokes the grant whole: it deletes every record and marks the grant revoked, so that
// CreateToken refuses its records until the latest expiry among them, and at least for
// provider.MinRevokedMarker. It costs time in the number of the grant's records, not the
// store's.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, kinds ...provider.Kind) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(kinds) == 0 {
		s.revokeWhole(grantID, tokenID{}, now, true)
		return nil
	}
	g := s.grants[grantID]
	kept := g[:0]
	for _, id := range g {
		if !slices.Contains(kinds, id.kind) {
			kept = append(kept, id)
			continue
		}
		r := s.tokens[id]
		delete(s.tokens, id)
		s.unindexClient(id, r)
	}
	s.setGrant(grantID, g, kept)
	return nil
}

// revokeWhole deletes every record of the grant but keep and, if mark is set, marks the grant
// revoked. Under the lock the order does not matter; the mark lasts until the latest expiry
// of the records it deletes, at least provider.MinRevokedMarker from now, and never shrinks.
// s.mu is held.
func (s *Store) revokeWhole(grantID string, keep tokenID, now time.Time, mark bool) {
	until := now.Add(provider.MinRevokedMarker).Round(0)
	g := s.grants[grantID]
	kept := g[:0]
	for _, id := range g {
		if id == keep {
			kept = append(kept, id)
			continue
		}
		r := s.tokens[id]
		if r.ExpiresAt.After(until) {
			until = r.ExpiresAt
		}
		delete(s.tokens, id)
		s.unindexClient(id, r)
	}
	s.setGrant(grantID, g, kept)
	if !mark {
		return
	}
	if old, ok := s.revoked[grantID]; !ok || old.Before(until) {
		s.revoked[grantID] = until
	}
}

// remove deletes the record r stored under id and its index entries. s.mu is held.
func (s *Store) remove(id tokenID, r *provider.Record) {
	delete(s.tokens, id)
	if g := s.grants[r.GrantID]; g != nil {
		kept := g
		if i := slices.Index(g, id); i >= 0 {
			last := len(g) - 1
			g[i] = g[last]
			kept = g[:last]
		}
		s.setGrant(r.GrantID, g, kept)
	}
	s.unindexClient(id, r)
}

// setGrant makes kept, a prefix of g, the grant's index, zeroing the rest of g so that the
// backing array holds no key it no longer indexes; an empty index is deleted. s.mu is held.
func (s *Store) setGrant(grantID string, g, kept []tokenID) {
	clear(g[len(kept):])
	if len(kept) == 0 {
		delete(s.grants, grantID)
		return
	}
	s.grants[grantID] = kept
}

// unindexClient removes id from the index of r's client. s.mu is held.
func (s *Store) unindexClient(id tokenID, r *provider.Record) {
	if c := s.byClient[r.ClientID]; c != nil {
		delete(c, id)
		if len(c) == 0 {
			delete(s.byClient, r.ClientID)
		}
	}
}

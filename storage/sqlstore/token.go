package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/oauthkit/oauthkit/provider"
)

// CreateToken stores r. A live record of the same kind and key makes it fail with
// provider.ErrConflict; an expired one, which already reads as not found, is replaced. If r's
// grant, or its client (deleted by DeleteClient), carries a live revocation mark it fails
// with provider.ErrGrantRevoked and leaves nothing stored.
//
// The common case is two statements: the INSERT, then one read of the grant's and the
// client's marks. Only when
// the key is taken does it delete the row if it has expired and insert again, so two
// creators racing for an expired key still see exactly one success. The mark is read after
// the insert has committed, and a revocation writes its mark before it deletes, each
// statement committing on its own: if this read misses the mark, the mark was committed
// after it, so the revocation's DELETE, which comes later still, sees the inserted row and
// deletes it. Either way no record survives a revocation it raced.
func (s *Store) CreateToken(ctx context.Context, r *provider.Record) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("sqlstore: create token: %w", err)
	}
	args, err := s.recordArgs(r)
	if err != nil {
		return fmt.Errorf("sqlstore: create token: %w: %w", provider.ErrInvalid, err)
	}
	if err := s.insertToken(ctx, r, args); err != nil {
		return err
	}
	grant := s.key(r.GrantID)
	var one int
	now := s.nowMS()
	err = s.db.QueryRowContext(ctx, s.q.markCheck, grant, now, s.key(r.ClientID), now).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err == nil {
		err = errGrantRevoked
	}
	// Marked, or the mark could not be read: take back what was written. If even that
	// fails, the record stays, and the grant's revocation, which wrote the mark before it
	// deleted, may have missed it; report the failure so that the caller does not hand the
	// token out.
	if _, derr := s.exec(context.WithoutCancel(ctx), s.q.tokenUnwrite, string(r.Kind), s.key(r.Key), grant); derr != nil {
		return fail("create token: take back", derr)
	}
	if errors.Is(err, errGrantRevoked) {
		return fmt.Errorf("sqlstore: create token: %w", provider.ErrGrantRevoked)
	}
	return fail("create token: read revocation mark", err)
}

// errGrantRevoked stands for a mark found by CreateToken.
var errGrantRevoked = errors.New("grant revoked")

// insertToken inserts r's row, replacing an expired one under its key.
func (s *Store) insertToken(ctx context.Context, r *provider.Record, args []any) error {
	_, err := s.exec(ctx, s.q.tokenInsert, args...)
	if err == nil {
		return nil
	}
	if !duplicate(err) {
		return fail("create token", err)
	}
	res, err := s.db.ExecContext(ctx, s.q.tokenDeleteExpired, string(r.Kind), s.key(r.Key), s.nowMS())
	if err != nil {
		return fail("create token: replace expired", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fail("create token: replace expired", err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: create token: %w", provider.ErrConflict)
	}
	if _, err := s.db.ExecContext(ctx, s.q.tokenInsert, args...); err != nil {
		if duplicate(err) {
			return fmt.Errorf("sqlstore: create token: %w", provider.ErrConflict)
		}
		return fail("create token", err)
	}
	return nil
}

// Token returns the live record of the given kind and key, used or not, or
// provider.ErrNotFound.
func (s *Store) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	r, err := scanRecord(s.db.QueryRowContext(ctx, s.q.tokenSelect, string(kind), s.key(key), s.nowMS()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: token: %w", provider.ErrNotFound)
	}
	if err != nil {
		return nil, fail("token", err)
	}
	return r, nil
}

// DeleteToken removes the live record of the given kind and key, or returns
// provider.ErrNotFound. An expired record is left to Collect and reads as not found.
func (s *Store) DeleteToken(ctx context.Context, kind provider.Kind, key string) error {
	res, err := s.db.ExecContext(ctx, s.q.tokenDelete, string(kind), s.key(key), s.nowMS())
	if err != nil {
		return fail("delete token", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fail("delete token", err)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: delete token: %w", provider.ErrNotFound)
	}
	return nil
}

// RevokeGrant deletes every record of the grant whose kind is among kinds, in one DELETE on
// the grant_id index. With no kinds it revokes the grant whole, in two statements: it first
// writes the grant's revocation mark (until the latest expiry of its records, and at least
// provider.MinRevokedMarker from now), then deletes every record; see CreateToken for why
// that order leaves no racing record alive.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, kinds ...provider.Kind) error {
	if len(kinds) == 0 {
		if err := s.revokeWhole(ctx, grantID, "", ""); err != nil {
			return fail("revoke grant", err)
		}
		return nil
	}
	args := []any{s.key(grantID)}
	var b strings.Builder
	b.WriteString(s.q.revokeGrantKinds)
	for i, k := range kinds {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("?")
		args = append(args, string(k))
	}
	b.WriteString(")")
	q := b.String()
	if s.dialect == Postgres {
		q = rebind(q)
	}
	if _, err := s.exec(ctx, q, args...); err != nil {
		return fail("revoke grant", err)
	}
	return nil
}

// revokeWhole marks the grant revoked and then deletes every record of it but the one of
// kind and key (none when both are ""), each statement committing on its own: two
// statements, three on MySQL/MariaDB (see queries.markLatest).
func (s *Store) revokeWhole(ctx context.Context, grantID string, kind provider.Kind, key string) error {
	g, k := s.key(grantID), s.key(key)
	least := ms(s.now().Add(provider.MinRevokedMarker))
	if s.q.markLatest != "" {
		var latest int64
		if err := s.db.QueryRowContext(ctx, s.q.markLatest, g, string(kind), k).Scan(&latest); err != nil {
			return err
		}
		if _, err := s.exec(ctx, s.q.markGrant, g, max(least, latest)); err != nil {
			return err
		}
	} else if _, err := s.exec(ctx, s.q.markGrant, g, least, g, string(kind), k); err != nil {
		return err
	}
	_, err := s.exec(ctx, s.q.revokeFamily, g, string(kind), k)
	return err
}

// exec runs a statement that may lose a deadlock to a concurrent one on the same grant
// (InnoDB's next-key locks on the grant_id index make inserts into a grant and deletes of
// it deadlock under load), retrying it up to twice; a lock wait that timed out is not
// retried, having waited long enough. The database rolled the statement back,
// and each statement commits on its own, so a retry repeats nothing.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var res sql.Result
		if res, err = s.db.ExecContext(ctx, q, args...); err == nil || !deadlock(err) || lockWaitTimeout(err) {
			return res, err
		}
	}
	return nil, err
}

// RedeemCode marks the authorization code under key as used and returns it; of any number of
// concurrent calls exactly one succeeds. A code presented again deletes every other record of
// its grant, in one statement and without marking the grant revoked, and is returned with
// provider.ErrAlreadyUsed (RFC 6749 §4.1.2); the used code itself stays until it expires, so
// that every later presentation is caught as well. A missing or expired code returns
// provider.ErrNotFound.
func (s *Store) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	return s.use(ctx, provider.AuthorizationCode, key, "redeem code", false)
}

// RotateRefreshToken marks the refresh token under key as used and returns it; of any number
// of concurrent calls exactly one succeeds. A token presented again within
// provider.RotationGrace of its rotation is a loser of that rotation: it is returned with
// provider.ErrAlreadyUsed and nothing changes. Presented later it is taken as stolen: every
// other record of its grant is deleted, the grant is marked revoked, and the record is
// returned with provider.ErrAlreadyUsed and provider.ErrGrantRevoked (RFC 9700 §4.14.2); the
// used token stays until it expires. A missing or expired token returns provider.ErrNotFound.
func (s *Store) RotateRefreshToken(ctx context.Context, key string) (*provider.Record, error) {
	return s.use(ctx, provider.RefreshToken, key, "rotate refresh token", true)
}

// use is the exactly-once step shared by RedeemCode and RotateRefreshToken. It rests on one
// conditional UPDATE (… SET used_at = now WHERE … AND used_at = 0 AND expires_at > now): the
// database lets only one concurrent update of a row match, on every dialect, so only one
// caller sees a row affected. On PostgreSQL and SQLite the UPDATE returns the row (one
// statement); on MySQL/MariaDB it is read afterwards. On reuse it deletes every other record
// of the grant and, if mark is set, marks the grant revoked first (see revokeWhole).
func (s *Store) use(ctx context.Context, kind provider.Kind, key, op string, mark bool) (*provider.Record, error) {
	k := s.key(key)
	for attempt := 0; attempt < 3; attempt++ {
		now := s.nowMS()
		if s.q.returning {
			r, err := scanRecord(s.db.QueryRowContext(ctx, s.q.tokenUse, now, string(kind), k, now))
			if err == nil {
				return r, nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return nil, fail(op, err)
			}
		} else {
			res, err := s.db.ExecContext(ctx, s.q.tokenUse, now, string(kind), k, now)
			if err != nil {
				return nil, fail(op, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return nil, fail(op, err)
			}
			if n == 1 {
				r, err := scanRecord(s.db.QueryRowContext(ctx, s.q.tokenSelect, string(kind), k, now))
				if errors.Is(err, sql.ErrNoRows) { // revoked between the two statements
					return nil, fmt.Errorf("sqlstore: %s: %w", op, provider.ErrNotFound)
				}
				if err != nil {
					return nil, fail(op, err)
				}
				return r, nil
			}
		}

		// Nothing matched: the record is missing, expired, or already used.
		r, err := scanRecord(s.db.QueryRowContext(ctx, s.q.tokenSelect, string(kind), k, now))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("sqlstore: %s: %w", op, provider.ErrNotFound)
		}
		if err != nil {
			return nil, fail(op, err)
		}
		if r.UsedAt.IsZero() {
			continue // created between the two statements: try again
		}
		// Delete the grant's records but the used one itself, which stays, used, so that
		// every later presentation is recognised as reuse too; mark the grant if asked.
		if mark {
			if s.now().Sub(r.UsedAt) < provider.RotationGrace {
				// A loser of a concurrent rotation: the winner's tokens stand.
				return r, fmt.Errorf("sqlstore: %s: %w", op, provider.ErrAlreadyUsed)
			}
			if err := s.revokeWhole(ctx, r.GrantID, kind, key); err != nil {
				return nil, fail(op+": revoke grant after reuse", err)
			}
			s.log.LogAttrs(ctx, slog.LevelWarn, "sqlstore: "+op+": reuse detected; grant revoked",
				slog.String("kind", string(kind)), slog.String("client_id", r.ClientID))
			return r, fmt.Errorf("sqlstore: %s: %w: %w", op, provider.ErrAlreadyUsed, provider.ErrGrantRevoked)
		} else {
			if _, err := s.exec(ctx, s.q.revokeFamily, s.key(r.GrantID), string(kind), s.key(key)); err != nil {
				return nil, fail(op+": delete grant after reuse", err)
			}
			s.log.LogAttrs(ctx, slog.LevelWarn, "sqlstore: "+op+": reuse detected; grant's other records deleted",
				slog.String("kind", string(kind)), slog.String("client_id", r.ClientID))
		}
		return r, fmt.Errorf("sqlstore: %s: %w", op, provider.ErrAlreadyUsed)
	}
	return nil, fmt.Errorf("sqlstore: %s: %w", op, provider.ErrNotFound)
}

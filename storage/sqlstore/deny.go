package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/internal/storecheck"
	"github.com/oauthkit/oauthkit/provider"
)

// Deny adds jti to the deny list until the given time. A jti already denied and not yet
// expired returns provider.ErrConflict, so of any number of concurrent calls for one jti
// exactly one succeeds; an expired entry is replaced. An until already past adds nothing and
// returns nil.
func (s *Store) Deny(ctx context.Context, jti string, until time.Time) error {
	if err := storecheck.Deny(jti, until); err != nil {
		return fmt.Errorf("sqlstore: deny: %w", err)
	}
	if !until.After(s.now()) {
		return nil
	}
	k, u := s.key(jti), ms(until)
	_, err := s.db.ExecContext(ctx, s.q.denyInsert, k, u)
	if err == nil {
		return nil
	}
	if !duplicate(err) {
		return fail("deny", err)
	}
	res, err := s.db.ExecContext(ctx, s.q.denyDeleteExpired, k, s.nowMS())
	if err != nil {
		return fail("deny: replace expired", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fail("deny: replace expired", err)
	} else if n == 0 {
		return fmt.Errorf("sqlstore: deny: %w", provider.ErrConflict)
	}
	if _, err := s.db.ExecContext(ctx, s.q.denyInsert, k, u); err != nil {
		if duplicate(err) {
			return fmt.Errorf("sqlstore: deny: %w", provider.ErrConflict)
		}
		return fail("deny", err)
	}
	return nil
}

// Denied reports whether jti is on the deny list and its entry has not expired.
func (s *Store) Denied(ctx context.Context, jti string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, s.q.denySelect, s.key(jti), s.nowMS()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fail("denied", err)
	}
	return true, nil
}

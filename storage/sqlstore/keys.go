package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/oauthkit/oauthkit/provider"
)

// KeySet returns the key set with the given name, or provider.ErrNotFound.
func (s *Store) KeySet(ctx context.Context, name string) (*provider.KeySet, error) {
	var (
		stored  string
		version int64
		data    []byte
		updated int64
	)
	err := s.db.QueryRowContext(ctx, s.q.keySetSelect, s.key(name)).Scan(&stored, &version, &data, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: key set: %w", provider.ErrNotFound)
	}
	if err != nil {
		return nil, fail("key set", err)
	}
	keys, err := decodeKeys(data)
	if err != nil {
		return nil, fail("key set", err)
	}
	return &provider.KeySet{Name: stored, Version: version, Keys: keys, UpdatedAt: fromMS(updated)}, nil
}

// SaveKeySet stores set if the stored version equals set.Version (0 when none is stored) and
// then sets set.Version to the new stored version and set.UpdatedAt to now. It is a
// compare-and-swap on the version column: a lost race returns provider.ErrConflict.
func (s *Store) SaveKeySet(ctx context.Context, set *provider.KeySet) error {
	if err := set.Validate(); err != nil {
		return fmt.Errorf("sqlstore: save key set: %w", err)
	}
	if set.Version < 0 {
		return fmt.Errorf("sqlstore: save key set: %w: negative Version", provider.ErrInvalid)
	}
	data, err := encodeKeys(set.Keys)
	if err != nil {
		return fmt.Errorf("sqlstore: save key set: %w: %w", provider.ErrInvalid, err)
	}
	now := s.now()
	if set.Version == 0 {
		if _, err := s.db.ExecContext(ctx, s.q.keySetInsert, s.key(set.Name), data, ms(now)); err != nil {
			if duplicate(err) {
				return fmt.Errorf("sqlstore: save key set: %w", provider.ErrConflict)
			}
			return fail("save key set", err)
		}
	} else {
		res, err := s.db.ExecContext(ctx, s.q.keySetUpdate, data, ms(now), s.key(set.Name), set.Version)
		if err != nil {
			return fail("save key set", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fail("save key set", err)
		}
		if n == 0 {
			return fmt.Errorf("sqlstore: save key set: %w", provider.ErrConflict)
		}
	}
	set.Version++
	set.UpdatedAt = now.UTC()
	return nil
}

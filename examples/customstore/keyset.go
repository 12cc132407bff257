package customstore

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/oauthkit/oauthkit/provider"
)

// KeySet returns the set with the given name, or ErrNotFound.
func (s *Store) KeySet(ctx context.Context, name string) (set *provider.KeySet, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bKeySets).Get([]byte(name))
		if v == nil || name == "" {
			return fail(provider.ErrNotFound, "key set")
		}
		set = new(provider.KeySet)
		return decode(v, set)
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// SaveKeySet stores set if the stored version equals set.Version, then increments
// set.Version; a lost race is ErrConflict.
func (s *Store) SaveKeySet(ctx context.Context, set *provider.KeySet) error {
	if err := set.Validate(); err != nil {
		return fmt.Errorf("customstore: save key set: %w", err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bKeySets)
		var stored provider.KeySet
		if v := b.Get([]byte(set.Name)); v != nil {
			if err := decode(v, &stored); err != nil {
				return err
			}
		}
		if stored.Version != set.Version {
			return fail(provider.ErrConflict, "save key set")
		}
		next := *set
		next.Version++
		return b.Put([]byte(set.Name), encode(&next))
	})
	if err == nil {
		set.Version++
	}
	return err
}

package memstore

import (
	"context"
	"fmt"

	"github.com/oauthkit/oauthkit/provider"
)

// KeySet returns a copy of the set with the given name, or ErrNotFound.
func (s *Store) KeySet(ctx context.Context, name string) (*provider.KeySet, error) {
	s.mu.RLock()
	set, ok := s.keySets[name]
	if !ok {
		s.mu.RUnlock()
		return nil, errKeySetNotFound
	}
	c := set.Clone()
	s.mu.RUnlock()
	return c, nil
}

// SaveKeySet stores a copy of set if the stored version equals set.Version (0 when none is
// stored) and then increments set.Version. Otherwise it returns ErrConflict and leaves set
// alone. A set that fails KeySet.Validate (nil, an empty or over-long name) is ErrInvalid.
func (s *Store) SaveKeySet(ctx context.Context, set *provider.KeySet) error {
	if err := set.Validate(); err != nil {
		return fmt.Errorf("memstore: save key set: %w", err)
	}
	c := set.Clone()
	c.Version++
	s.mu.Lock()
	defer s.mu.Unlock()
	var stored int64
	if old, ok := s.keySets[set.Name]; ok {
		stored = old.Version
	}
	if stored != set.Version {
		return errKeySetConflict
	}
	s.keySets[set.Name] = c
	set.Version = c.Version
	return nil
}

package keyset_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/oauthkit/oauthkit/provider"
)

// keyStore is a minimal provider.KeyStore for these tests until storage/memstore is
// committed; it implements the documented compare-and-swap exactly.
type keyStore struct {
	mu   sync.Mutex
	sets map[string]*provider.KeySet
}

func newKeyStore() *keyStore { return &keyStore{sets: map[string]*provider.KeySet{}} }

func (s *keyStore) KeySet(_ context.Context, name string) (*provider.KeySet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ks, ok := s.sets[name]
	if !ok {
		return nil, fmt.Errorf("keystore: %q: %w", name, provider.ErrNotFound)
	}
	return ks.Clone(), nil
}

func (s *keyStore) SaveKeySet(_ context.Context, set *provider.KeySet) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur int64
	if ks, ok := s.sets[set.Name]; ok {
		cur = ks.Version
	}
	if cur != set.Version {
		return fmt.Errorf("keystore: %q: %w", set.Name, provider.ErrConflict)
	}
	set.Version++
	s.sets[set.Name] = set.Clone()
	return nil
}

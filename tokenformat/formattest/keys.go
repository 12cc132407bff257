package formattest

import (
	"context"
	"fmt"
	"sync"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat"
)

// Keys is a tokenformat.KeySource held in memory, for tests of formats: Add makes a key
// active, Retire keeps it for verification only, Evict forgets it. It is safe for concurrent
// use. Production servers use a key set (tokenformat/keyset) instead.
type Keys struct {
	mu     sync.RWMutex
	active map[string]*jose.JSONWebKey // use + " " + alg → key
	byID   map[string]*jose.JSONWebKey
}

var _ tokenformat.KeySource = (*Keys)(nil)

// NewKeys returns a Keys holding keys, each active for its Use and Algorithm (a later key
// replaces an earlier one of the same use and algorithm, which is then retired).
func NewKeys(keys ...*jose.JSONWebKey) *Keys {
	k := &Keys{active: map[string]*jose.JSONWebKey{}, byID: map[string]*jose.JSONWebKey{}}
	for _, key := range keys {
		k.Add(key)
	}
	return k
}

// Add makes key the active key of its Use and Algorithm; the key it replaces is retired: it
// still verifies and decrypts through Lookup.
func (k *Keys) Add(key *jose.JSONWebKey) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.active[key.Use+" "+key.Algorithm] = key
	k.byID[key.KeyID] = key
}

// Evict forgets the key with the given kid: tokens it made no longer verify.
func (k *Keys) Evict(kid string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := k.byID[kid]
	delete(k.byID, kid)
	if key != nil && k.active[key.Use+" "+key.Algorithm] == key {
		delete(k.active, key.Use+" "+key.Algorithm)
	}
}

// Active returns the active key for use and alg.
func (k *Keys) Active(_ context.Context, use, alg string) (*jose.JSONWebKey, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if key, ok := k.active[use+" "+alg]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("%w: no active %s key for %s", tokenformat.ErrUnknownKey, use, alg)
}

// Lookup returns the key with kid, active or replaced, unless it was evicted.
func (k *Keys) Lookup(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if key, ok := k.byID[kid]; ok {
		return key, nil
	}
	return nil, tokenformat.ErrUnknownKey
}

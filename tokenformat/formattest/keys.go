package formattest

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
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

// NewKey generates a key for use ("sig" or "enc") and alg, with a random kid: ES256, ES384,
// EdDSA, RS256, PS256 and HS256 for "sig"; RSA-OAEP-256, ECDH-ES+A256KW and A256GCM for
// "enc". RSA keys are 2048 bits.
func NewKey(use, alg string) (*jose.JSONWebKey, error) {
	var key any
	var err error
	switch alg {
	case "ES256", "ECDH-ES+A256KW":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "EdDSA":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case "RS256", "PS256", "RSA-OAEP-256":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case "HS256", "A256GCM":
		secret := make([]byte, 32)
		rand.Read(secret)
		key = secret
	default:
		return nil, fmt.Errorf("formattest: NewKey: unsupported alg %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return &jose.JSONWebKey{Key: key, KeyID: rand.Text()[:16], Use: use, Algorithm: alg}, nil
}

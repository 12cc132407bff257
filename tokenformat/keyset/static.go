package keyset

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// Static is an in-memory key source with no store and no rotation: for resource servers that
// verify with configured public keys, for a server whose keys come from files, and for tests.
// It is safe for concurrent use.
type Static struct{ snap *snapshot }

var _ tokenformat.KeySource = (*Static)(nil)

// NewStatic returns a source holding keys. For each use and algorithm, the key in state
// KeyActive signs or encrypts; if none is marked active, the first key of that use and
// algorithm with no state does, and the others verify and decrypt only. Keys may be
// public-only (from a JWKS or a certificate): Active then hands out a public key, which suits
// encrypting to a recipient. Duplicate kids and two active keys for one use and algorithm are
// refused.
func NewStatic(keys ...*Key) (*Static, error) {
	explicit := map[group]bool{}
	for _, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("keyset: NewStatic: nil key")
		}
		if k.state == provider.KeyActive {
			explicit[group{k.Use(), k.Algorithm()}] = true
		}
	}
	chosen := map[group]bool{}
	own := make([]*Key, len(keys))
	for i, k := range keys {
		c := *k
		if c.state == "" {
			g := group{k.Use(), k.Algorithm()}
			if !explicit[g] && !chosen[g] {
				c.state, chosen[g] = provider.KeyActive, true
			} else {
				c.state = provider.KeyRetired
			}
		}
		own[i] = &c
	}
	snap, err := newSnapshot(0, own)
	if err != nil {
		return nil, err
	}
	return &Static{snap: snap}, nil
}

// Active returns the active key for use and alg, or an error matching
// tokenformat.ErrUnknownKey.
func (s *Static) Active(_ context.Context, use, alg string) (*jose.JSONWebKey, error) {
	return s.snap.activeKey(use, alg)
}

// Lookup returns the key with the given kid, or an error matching tokenformat.ErrUnknownKey.
func (s *Static) Lookup(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	if k := s.snap.lookup(kid); k != nil {
		return k, nil
	}
	return nil, unknownKID(kid)
}

// Keys returns the source's keys, active first.
func (s *Static) Keys() []*Key { return append([]*Key(nil), s.snap.keys...) }

// JWKS returns the public keys of the source; symmetric keys are never included.
func (s *Static) JWKS() jose.JSONWebKeySet { return s.snap.jwks() }

// Handler serves the source's JWKS; see HandlerOptions.
func (s *Static) Handler(opts HandlerOptions) http.Handler {
	return newHandler(func() *published { return s.snap.pub }, opts)
}

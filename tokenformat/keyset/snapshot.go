package keyset

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// group is a (use, alg) pair: a set has at most one active key per group.
type group struct{ use, alg string }

// snapshot is an immutable view of a key set. Readers load it through an atomic pointer, so
// the hot path (Active, Lookup) is one atomic load and one map read, with no lock.
type snapshot struct {
	version int64
	keys    []*Key // in JWKS order
	byKID   map[string]*Key
	active  map[group]*Key
	pub     *published
}

// published is the public JWKS of a snapshot, marshalled once.
type published struct {
	set  jose.JSONWebKeySet
	body []byte
	etag string
}

func stateRank(s provider.KeyState) int {
	switch s {
	case provider.KeyActive:
		return 0
	case provider.KeyNext:
		return 1
	}
	return 2
}

// newSnapshot indexes keys. It refuses duplicate kids and two active keys in one group.
func newSnapshot(version int64, keys []*Key) (*snapshot, error) {
	keys = slices.Clone(keys)
	slices.SortStableFunc(keys, func(a, b *Key) int {
		if c := cmp.Compare(stateRank(a.state), stateRank(b.state)); c != 0 {
			return c
		}
		if c := b.createdAt.Compare(a.createdAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID(), b.ID())
	})
	s := &snapshot{
		version: version,
		keys:    keys,
		byKID:   make(map[string]*Key, len(keys)),
		active:  make(map[group]*Key),
	}
	pub := &published{set: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}}
	for _, k := range keys {
		if _, dup := s.byKID[k.ID()]; dup {
			return nil, fmt.Errorf("%w: %q", ErrDuplicateKeyID, truncate(k.ID()))
		}
		s.byKID[k.ID()] = k
		if k.state == provider.KeyActive {
			g := group{k.Use(), k.Algorithm()}
			if _, dup := s.active[g]; dup {
				return nil, fmt.Errorf("keyset: two active keys for use %q and alg %q", g.use, g.alg)
			}
			s.active[g] = k
		}
		if k.pub != nil {
			pub.set.Keys = append(pub.set.Keys, *k.pub)
		}
	}
	body, err := json.Marshal(pub.set)
	if err != nil {
		return nil, fmt.Errorf("keyset: marshal JWKS: %w", err)
	}
	sum := sha256.Sum256(body)
	pub.body = body
	pub.etag = `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
	s.pub = pub
	return s, nil
}

func (s *snapshot) activeKey(use, alg string) (*jose.JSONWebKey, error) {
	if k := s.active[group{use, alg}]; k != nil {
		return &k.jwk, nil
	}
	return nil, fmt.Errorf("%w: no active %q key for %q", tokenformat.ErrUnknownKey, truncate(use), truncate(alg))
}

func (s *snapshot) lookup(kid string) *jose.JSONWebKey {
	if k := s.byKID[kid]; k != nil {
		return &k.jwk
	}
	return nil
}

func (s *snapshot) jwks() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: slices.Clone(s.pub.set.Keys)}
}

func unknownKID(kid string) error {
	return fmt.Errorf("%w: kid %q", tokenformat.ErrUnknownKey, truncate(kid))
}

package provider

import "time"

// KeyState is where a key is in its life: next → active → retired, then evicted.
type KeyState string

// The states of a key.
const (
	// KeyNext is published in the JWKS so that verifiers learn it, but not yet used.
	KeyNext KeyState = "next"
	// KeyActive signs or encrypts; a set has at most one active key per use and algorithm.
	KeyActive KeyState = "active"
	// KeyRetired verifies or decrypts only, until every token it produced has expired.
	KeyRetired KeyState = "retired"
)

// Key is one stored key of a KeySet.
type Key struct {
	// ID is the key ID (kid), by default the RFC 7638 thumbprint.
	ID string
	// Use is "sig" or "enc" (RFC 7517 §4.2).
	Use string
	// Algorithm is the JOSE algorithm the key is for ("ES256", "RSA-OAEP-256", "A256GCM", …).
	Algorithm string
	// State is where the key is in its life.
	State KeyState
	// Public is the public JWK as JSON; empty for symmetric keys.
	Public []byte
	// Sealed is the private or secret key material encrypted with a key-encryption key.
	// Stores keep it verbatim; they never see the key in clear.
	Sealed []byte
	// CreatedAt, ActivatedAt and RetiredAt record the transitions; zero until they happen.
	CreatedAt, ActivatedAt, RetiredAt time.Time
}

// KeySet is the persisted form of a named key set. Servers that share a store share the set,
// and so agree on which key is active.
type KeySet struct {
	// Name identifies the set within a store ("default", a tenant, …).
	Name string
	// Version is the optimistic-concurrency counter: SaveKeySet stores the set only if the
	// stored version equals Version (0 for a set not yet stored) and then increments it.
	Version int64
	// Keys are the set's keys in no particular order.
	Keys []Key
	// UpdatedAt is when the set was last saved.
	UpdatedAt time.Time
}

// Validate reports ErrInvalid (wrapped, naming the field) if s cannot be stored.
func (s *KeySet) Validate() error {
	switch {
	case s == nil:
		return invalid("key set is nil")
	case s.Name == "":
		return invalid("key set: empty Name")
	case len(s.Name) > MaxKeyLen:
		return invalid("key set: Name longer than MaxKeyLen")
	}
	return nil
}

// Clone returns a deep copy of s: nil slices stay nil and empty ones stay empty. It makes at
// most three allocations (the set, its keys, one slab for the keys' bytes).
func (s *KeySet) Clone() *KeySet {
	if s == nil {
		return nil
	}
	d := *s
	d.Keys = make([]Key, len(s.Keys))
	n := 0
	for i := range s.Keys {
		n += len(s.Keys[i].Public) + len(s.Keys[i].Sealed)
	}
	var bs []byte
	if n > 0 {
		bs = make([]byte, 0, n)
	}
	for i, k := range s.Keys {
		k.Public, bs = carve(bs, k.Public)
		k.Sealed, bs = carve(bs, k.Sealed)
		d.Keys[i] = k
	}
	return &d
}

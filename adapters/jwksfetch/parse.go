package jwksfetch

import (
	"encoding/json"
	"io"

	"github.com/go-jose/go-jose/v4"
)

// maxKeys bounds the keys a set may hold; a client needs a few.
const maxKeys = 100

// Parse decodes a JWK Set (RFC 7517 §5) and keeps only what a verifier of the owner's
// signatures may hold: the public part of each asymmetric key (private members dropped;
// symmetric keys dropped), skipping members it cannot use (an unknown kty, a malformed
// key) as RFC 7517 §5 asks. It returns ErrInvalidSet when data is not a JSON object with a
// "keys" array, holds more than 100 keys, or no usable public key.
func Parse(data []byte) (*jose.JSONWebKeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil || raw.Keys == nil || len(raw.Keys) > maxKeys {
		return nil, ErrInvalidSet
	}
	set := &jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(raw.Keys))}
	for _, m := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(m); err != nil || !k.Valid() {
			continue
		}
		pub := k.Public()
		if !pub.Valid() || !pub.IsPublic() {
			continue // a symmetric key has no public part
		}
		set.Keys = append(set.Keys, pub)
	}
	if len(set.Keys) == 0 {
		return nil, ErrInvalidSet
	}
	return set, nil
}

// readLimited reads r to its end, refusing with ErrTooLarge more than max bytes: it reads at
// most max+1.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if int64(len(data)) > max {
		return nil, ErrTooLarge
	}
	if err != nil {
		return nil, ErrFetch
	}
	return data, nil
}

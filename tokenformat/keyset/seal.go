package keyset

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// sealVersion is the first byte of sealed material: version 1 is AES-256-GCM with a random
// 96-bit nonce over the private JWK as JSON, with the set name, kid, use and algorithm as
// additional data.
const sealVersion byte = 1

// KEKSize is the length in bytes of a key-encryption key: AES-256.
const KEKSize = 32

// sealer encrypts private key material for the store. Sealed form:
//
//	version (1) ‖ nonce (12) ‖ AES-256-GCM(kek, nonce, privateJWK, aad)
//	aad = "oauthkit/keyset" ‖ version ‖ len‖set ‖ len‖kid ‖ len‖use ‖ len‖alg
//
// Binding the set name, kid, use and algorithm means a sealed blob copied to another set or
// key, or a stored key whose alg or use was changed, fails to open.
type sealer struct{ aead cipher.AEAD }

func newSealer(kek []byte) (*sealer, error) {
	if len(kek) != KEKSize {
		return nil, fmt.Errorf("keyset: key-encryption key must be %d bytes, got %d", KEKSize, len(kek))
	}
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("keyset: key-encryption key: %w", err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, fmt.Errorf("keyset: key-encryption key: %w", err)
	}
	return &sealer{aead: g}, nil
}

func sealAAD(set, kid, use, alg string) []byte {
	aad := make([]byte, 0, 32+len(set)+len(kid)+len(use)+len(alg))
	aad = append(aad, "oauthkit/keyset"...)
	aad = append(aad, sealVersion)
	for _, s := range []string{set, kid, use, alg} {
		aad = binary.AppendUvarint(aad, uint64(len(s)))
		aad = append(aad, s...)
	}
	return aad
}

// seal encrypts k's private material for set.
func (s *sealer) seal(set string, k *Key) ([]byte, error) {
	if !k.private {
		return nil, fmt.Errorf("%w: key %q has no private material to store", ErrKeyMismatch, k.ID())
	}
	plain, err := json.Marshal(jose.JSONWebKey{Key: k.jwk.Key})
	if err != nil {
		return nil, fmt.Errorf("keyset: seal key %q: %w", k.ID(), err)
	}
	defer clear(plain)
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+ns]); err != nil {
		return nil, fmt.Errorf("keyset: seal key %q: %w", k.ID(), err)
	}
	return s.aead.Seal(out, out[1:1+ns], plain, sealAAD(set, k.ID(), k.Use(), k.Algorithm())), nil
}

// open decrypts sealed material and returns the parsed private key.
func (s *sealer) open(set, kid, use, alg string, sealed []byte) (any, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() {
		return nil, fmt.Errorf("%w: key %q: sealed data too short", ErrSealed, truncate(kid))
	}
	if sealed[0] != sealVersion {
		return nil, fmt.Errorf("%w: key %q: unknown sealing version %d", ErrSealed, truncate(kid), sealed[0])
	}
	plain, err := s.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], sealAAD(set, kid, use, alg))
	if err != nil {
		return nil, fmt.Errorf("%w: key %q", ErrSealed, truncate(kid))
	}
	defer clear(plain)
	var j jose.JSONWebKey
	if err := j.UnmarshalJSON(plain); err != nil {
		return nil, fmt.Errorf("%w: key %q: sealed material does not parse", ErrSealed, truncate(kid))
	}
	return j.Key, nil
}

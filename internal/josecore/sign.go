package josecore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Signer makes JWS signatures with one private key and algorithm. It is checked once, by
// NewSigner, so Sign does no key checks; it is safe for concurrent use.
type Signer struct {
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
	size int
}

// NewSigner checks that key may sign with alg — its type and curve fit alg, RSA moduli have
// at least MinRSABits bits and not the ROCA fingerprint, and the JWK's alg and use, if set,
// are alg and "sig" — and returns its signer.
func NewSigner(alg jose.SignatureAlgorithm, key *jose.JSONWebKey) (*Signer, error) {
	if key == nil {
		return nil, errors.New("no key")
	}
	if key.Algorithm != "" && key.Algorithm != string(alg) {
		return nil, fmt.Errorf("key %s is for %s, not %s", key.KeyID, key.Algorithm, alg)
	}
	if key.Use != "" && key.Use != "sig" {
		return nil, fmt.Errorf("key %s is not a signing key", key.KeyID)
	}
	s := &Signer{alg: alg}
	unfit := fmt.Errorf("key %s does not fit %s", key.KeyID, alg)
	switch k := key.Key.(type) {
	case *ecdsa.PrivateKey:
		if familyOf(alg) != famEC || k.Curve != curveOf(alg) {
			return nil, unfit
		}
		s.priv, s.size = k, 2*coordSize(k.Curve)
	case ed25519.PrivateKey:
		if familyOf(alg) != famEd || len(k) != ed25519.PrivateKeySize {
			return nil, unfit
		}
		s.priv, s.size = k, ed25519.SignatureSize
	case *rsa.PrivateKey:
		if f := familyOf(alg); f != famRSA && f != famPSS {
			return nil, unfit
		}
		if err := checkRSA(&k.PublicKey, true); err != nil {
			return nil, fmt.Errorf("key %s: %w", key.KeyID, err)
		}
		s.priv, s.size = k, k.Size()
	default:
		return nil, fmt.Errorf("key %s holds no private signing key", key.KeyID)
	}
	return s, nil
}

// Algorithm returns the signer's algorithm.
func (s *Signer) Algorithm() jose.SignatureAlgorithm { return s.alg }

// SignatureSize is the length of the signatures Sign returns.
func (s *Signer) SignatureSize() int { return s.size }

// Sign returns the JWS signature of input (RFC 7518 §3): raw r||s for ECDSA.
func (s *Signer) Sign(input []byte) ([]byte, error) {
	switch k := s.priv.(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(k, input), nil
	case *ecdsa.PrivateKey:
		// Deterministic ECDSA (RFC 6979, approved by FIPS 186-5 §6.3.2): passing a nil
		// random source makes crypto/ecdsa derive the nonce from an HMAC-DRBG over the key
		// and digest, where its randomized mode seeds an HMAC-SHA-512 DRBG from crypto/rand
		// (about a fifth of the signature's CPU time). A failing random source cannot leak
		// the key, and every signing input differs anyway (tokens carry a fresh jti).
		var buf [64]byte
		d, h := digest(s.alg, input, &buf)
		der, err := k.Sign(nil, d, h)
		if err != nil {
			return nil, err
		}
		return RawFromDER(der, s.size/2)
	case *rsa.PrivateKey:
		var buf [64]byte
		d, h := digest(s.alg, input, &buf)
		if familyOf(s.alg) == famPSS {
			// RFC 7518 §3.5: the salt is as long as the hash.
			return rsa.SignPSS(rand.Reader, k, h, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(nil, k, h, d)
	}
	return nil, errors.New("unsupported key")
}

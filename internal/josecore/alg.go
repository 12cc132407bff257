package josecore

import (
	"crypto"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// Ed25519 is the fully specified name of EdDSA with Ed25519 (RFC 9864), accepted beside
// jose.EdDSA.
const Ed25519 jose.SignatureAlgorithm = "Ed25519"

// Algorithms are the signature algorithms the core signs and verifies with: asymmetric ones
// only (RFC 9068 §4 has the resource server verify with the issuer's public keys, so a
// shared-secret HMAC is never right, and allowing it invites the RSA-public-key-as-HMAC-
// secret confusion).
var algorithms = []jose.SignatureAlgorithm{
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, Ed25519,
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
}

// Algorithms returns the signature algorithms the core supports.
func Algorithms() []jose.SignatureAlgorithm { return slices.Clone(algorithms) }

// Supported reports whether alg is one of Algorithms.
func Supported(alg jose.SignatureAlgorithm) bool { return slices.Contains(algorithms, alg) }

// MinRSABits is the smallest RSA modulus the core signs or verifies with (RFC 7518 §3.3).
const MinRSABits = 2048

// family is the key type an algorithm needs.
type family uint8

const (
	famNone family = iota
	famEC
	famRSA
	famPSS
	famEd
)

func familyOf(alg jose.SignatureAlgorithm) family {
	switch alg {
	case jose.ES256, jose.ES384, jose.ES512:
		return famEC
	case jose.RS256, jose.RS384, jose.RS512:
		return famRSA
	case jose.PS256, jose.PS384, jose.PS512:
		return famPSS
	case jose.EdDSA, Ed25519:
		return famEd
	}
	return famNone
}

// curveOf is the curve of an ECDSA algorithm (RFC 7518 §3.4), or nil.
func curveOf(alg jose.SignatureAlgorithm) elliptic.Curve {
	switch alg {
	case jose.ES256:
		return elliptic.P256()
	case jose.ES384:
		return elliptic.P384()
	case jose.ES512:
		return elliptic.P521()
	}
	return nil
}

func hashOf(alg jose.SignatureAlgorithm) crypto.Hash {
	switch alg {
	case jose.ES384, jose.RS384, jose.PS384:
		return crypto.SHA384
	case jose.ES512, jose.RS512, jose.PS512:
		return crypto.SHA512
	}
	return crypto.SHA256
}

// digest hashes input with the hash of alg into buf.
func digest(alg jose.SignatureAlgorithm, input []byte, buf *[64]byte) ([]byte, crypto.Hash) {
	switch h := hashOf(alg); h {
	case crypto.SHA384:
		*(*[48]byte)(buf[:48]) = sha512.Sum384(input)
		return buf[:48], h
	case crypto.SHA512:
		*buf = sha512.Sum512(input)
		return buf[:], h
	default:
		*(*[32]byte)(buf[:32]) = sha256.Sum256(input)
		return buf[:32], h
	}
}

// coordSize is the byte length of one of r, s for curve c (RFC 7518 §3.4).
func coordSize(c elliptic.Curve) int { return (c.Params().BitSize + 7) / 8 }

package josecore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"

	"github.com/go-jose/go-jose/v4"
)

// PublicKey returns the public half of a private key (*ecdsa.PrivateKey, *rsa.PrivateKey,
// ed25519.PrivateKey), or key itself.
func PublicKey(key any) crypto.PublicKey {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	case *rsa.PrivateKey:
		return &k.PublicKey
	case ed25519.PrivateKey:
		return k.Public()
	}
	return key
}

// Errors of CheckVerifyKey.
var (
	ErrUnsupportedAlg = errors.New("algorithm is not supported")
	ErrKeyUnfit       = errors.New("algorithm does not fit the key")
	ErrRSATooShort    = errors.New("RSA key shorter than 2048 bits")
	ErrROCA           = errors.New("RSA key has the ROCA fingerprint (CVE-2017-15361)")
)

// CheckVerifyKey reports whether pub may verify signatures of alg: alg is supported, the key
// type and curve fit it, and an RSA modulus has at least MinRSABits bits. It is cheap enough
// for the hot path; the ROCA test (CheckPublicKey) is for when a key is loaded.
func CheckVerifyKey(alg jose.SignatureAlgorithm, pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if familyOf(alg) != famEC || k.Curve != curveOf(alg) {
			return ErrKeyUnfit
		}
	case ed25519.PublicKey:
		if familyOf(alg) != famEd || len(k) != ed25519.PublicKeySize {
			return ErrKeyUnfit
		}
	case *rsa.PublicKey:
		if f := familyOf(alg); f != famRSA && f != famPSS {
			return ErrKeyUnfit
		}
		return checkRSA(k, false)
	default:
		if !Supported(alg) {
			return ErrUnsupportedAlg
		}
		return ErrKeyUnfit
	}
	return nil
}

func checkRSA(k *rsa.PublicKey, load bool) error {
	if k.N == nil || k.N.BitLen() < MinRSABits {
		return ErrRSATooShort
	}
	if load {
		return CheckRSAPublicKey(k)
	}
	return nil
}

// MaxRSABits is the largest RSA modulus a loader accepts (a larger one costs a verifier
// more than any token is worth), and MinRSAExponent the smallest public exponent (FIPS 186-5
// §A.1.1: 2^16 < e).
const (
	MaxRSABits     = 4096
	MinRSAExponent = 65537
)

// Errors of CheckRSAPublicKey besides ErrRSATooShort and ErrROCA.
var (
	ErrRSATooLong  = errors.New("RSA modulus longer than 4096 bits")
	ErrRSAExponent = errors.New("RSA public exponent is even or below 65537")
)

// CheckRSAPublicKey is the one strength rule for an RSA key a loader accepts, on either side:
// a modulus of MinRSABits to MaxRSABits bits without the ROCA fingerprint (CVE-2017-15361)
// and an odd public exponent of at least MinRSAExponent.
func CheckRSAPublicKey(k *rsa.PublicKey) error {
	if k.N == nil || k.N.BitLen() < MinRSABits {
		return ErrRSATooShort
	}
	switch {
	case k.N.BitLen() > MaxRSABits:
		return ErrRSATooLong
	case k.E < MinRSAExponent || k.E%2 == 0:
		return ErrRSAExponent
	case ROCAVulnerable(k.N):
		return ErrROCA
	}
	return nil
}

// CheckPublicKey is the test a key loader applies once to a key, public or private, before
// it may sign or verify: a supported type (ECDSA on P-256, P-384 or P-521, RSA, Ed25519),
// RSA moduli of at least MinRSABits bits without the ROCA fingerprint.
func CheckPublicKey(key any) error {
	switch k := PublicKey(key).(type) {
	case *ecdsa.PublicKey:
		for _, a := range []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512} {
			if k.Curve == curveOf(a) {
				return nil
			}
		}
		return errors.New("unsupported curve")
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return errors.New("bad Ed25519 key length")
		}
		return nil
	case *rsa.PublicKey:
		return checkRSA(k, true)
	}
	return errors.New("unsupported key type")
}

// VerifyKey returns the public key of jwk for verifying alg, after the checks a JWK adds to
// CheckVerifyKey: its alg, if set, is alg, and its use, if set, is "sig".
func VerifyKey(alg jose.SignatureAlgorithm, jwk *jose.JSONWebKey) (crypto.PublicKey, error) {
	if jwk == nil {
		return nil, errors.New("no key")
	}
	if jwk.Algorithm != "" && jwk.Algorithm != string(alg) {
		return nil, errors.New("alg does not match the key's alg")
	}
	if jwk.Use != "" && jwk.Use != "sig" {
		return nil, errors.New("key is not a signing key")
	}
	pub := PublicKey(jwk.Key)
	if err := CheckVerifyKey(alg, pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// Verify reports whether sig is a valid JWS signature of input under alg with pub, which
// the caller has checked with CheckVerifyKey. An ECDSA signature must be the fixed-width
// r||s of RFC 7518 §3.4; it is re-encoded as DER for ecdsa.VerifyASN1, which refuses r or
// s of zero or not below the group order. High-S signatures are accepted, as RFC 7518
// allows: nothing here depends on a signature being unique.
func Verify(alg jose.SignatureAlgorithm, pub crypto.PublicKey, input string, sig []byte) bool {
	in := []byte(input)
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return familyOf(alg) == famEd && len(sig) == ed25519.SignatureSize && ed25519.Verify(k, in, sig)
	case *ecdsa.PublicKey:
		if familyOf(alg) != famEC || k.Curve != curveOf(alg) {
			return false
		}
		n := coordSize(k.Curve)
		if len(sig) != 2*n {
			return false
		}
		var buf [64]byte
		d, _ := digest(alg, in, &buf)
		var der [2*66 + 16]byte
		return ecdsa.VerifyASN1(k, d, AppendDER(der[:0], sig[:n], sig[n:]))
	case *rsa.PublicKey:
		f := familyOf(alg)
		if f != famRSA && f != famPSS || len(sig) != k.Size() {
			return false
		}
		var buf [64]byte
		d, h := digest(alg, in, &buf)
		if f == famPSS {
			return rsa.VerifyPSS(k, h, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(k, h, d, sig) == nil
	}
	return false
}

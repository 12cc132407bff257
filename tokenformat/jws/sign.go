package jws

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/go-jose/go-jose/v4"
)

var supportedAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.EdDSA, jose.RS256, jose.PS256}

// SupportedAlgorithms returns the algorithms the format can sign and verify with: ES256,
// ES384, EdDSA, RS256 and PS256. Options.Algorithms chooses among them.
func SupportedAlgorithms() []jose.SignatureAlgorithm { return slices.Clone(supportedAlgs) }

func supported(alg jose.SignatureAlgorithm) bool { return slices.Contains(supportedAlgs, alg) }

// minRSABits is the smallest RSA modulus the format signs or verifies with.
const minRSABits = 2048

// signer signs a JWS signing input.
type signer struct {
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
	size int
}

func (s signer) sigSize() int { return s.size }

// signerFor checks that key may sign with alg and returns its signer.
func signerFor(alg jose.SignatureAlgorithm, key *jose.JSONWebKey) (signer, error) {
	if key == nil {
		return signer{}, errors.New("no key")
	}
	if key.Algorithm != "" && key.Algorithm != string(alg) {
		return signer{}, fmt.Errorf("key %s is for %s, not %s", key.KeyID, key.Algorithm, alg)
	}
	if key.Use != "" && key.Use != "sig" {
		return signer{}, fmt.Errorf("key %s is not a signing key", key.KeyID)
	}
	s := signer{alg: alg}
	switch k := key.Key.(type) {
	case *ecdsa.PrivateKey:
		if curveFor(alg) == nil || k.Curve != curveFor(alg) {
			return signer{}, fmt.Errorf("key %s does not fit %s", key.KeyID, alg)
		}
		s.priv, s.size = k, 2*coordSize(k.Curve)
	case ed25519.PrivateKey:
		if alg != jose.EdDSA || len(k) != ed25519.PrivateKeySize {
			return signer{}, fmt.Errorf("key %s does not fit %s", key.KeyID, alg)
		}
		s.priv, s.size = k, ed25519.SignatureSize
	case *rsa.PrivateKey:
		if alg != jose.RS256 && alg != jose.PS256 {
			return signer{}, fmt.Errorf("key %s does not fit %s", key.KeyID, alg)
		}
		if k.N.BitLen() < minRSABits {
			return signer{}, fmt.Errorf("key %s: RSA key shorter than %d bits", key.KeyID, minRSABits)
		}
		s.priv, s.size = k, k.Size()
	default:
		return signer{}, fmt.Errorf("key %s holds no private signing key", key.KeyID)
	}
	return s, nil
}

func curveFor(alg jose.SignatureAlgorithm) elliptic.Curve {
	switch alg {
	case jose.ES256:
		return elliptic.P256()
	case jose.ES384:
		return elliptic.P384()
	}
	return nil
}

func coordSize(c elliptic.Curve) int { return (c.Params().BitSize + 7) / 8 }

func digest(alg jose.SignatureAlgorithm, input []byte) ([]byte, crypto.Hash) {
	switch alg {
	case jose.ES384:
		d := sha512.Sum384(input)
		return d[:], crypto.SHA384
	default:
		d := sha256.Sum256(input)
		return d[:], crypto.SHA256
	}
}

// sign returns the JWS signature of input (RFC 7518 §3).
func (s signer) sign(input []byte) ([]byte, error) {
	switch k := s.priv.(type) {
	case ed25519.PrivateKey:
		return ed25519.Sign(k, input), nil
	case *ecdsa.PrivateKey:
		// Deterministic ECDSA (RFC 6979, approved by FIPS 186-5 §6.3.2): the nonce comes
		// from an HMAC-DRBG over the key and the digest with the signature's own hash,
		// where crypto/ecdsa's randomized SignASN1 runs an HMAC-SHA-512 DRBG seeded from
		// crypto/rand (about a fifth of the signature's CPU time and a third of its
		// memory). A failing random source cannot leak the key, and every signing input
		// differs anyway: it carries a fresh random jti.
		d, h := digest(s.alg, input)
		der, err := k.Sign(nil, d, h)
		if err != nil {
			return nil, err
		}
		return rawFromDER(der, s.size/2)
	case *rsa.PrivateKey:
		d, h := digest(s.alg, input)
		if s.alg == jose.PS256 {
			return rsa.SignPSS(rand.Reader, k, h, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(nil, k, h, d)
	}
	return nil, errors.New("unsupported key")
}

// verifier checks a JWS signature with a public key.
type verifier struct {
	alg jose.SignatureAlgorithm
	pub crypto.PublicKey
}

// verifierFor checks that key may verify alg: its type and curve fit alg and its JWK alg, if
// set, is alg.
func verifierFor(alg jose.SignatureAlgorithm, key *jose.JSONWebKey) (verifier, error) {
	if key == nil {
		return verifier{}, errors.New("no key")
	}
	if key.Algorithm != string(alg) && key.Algorithm != "" {
		return verifier{}, errors.New("alg does not match the key's alg")
	}
	if key.Use != "" && key.Use != "sig" {
		return verifier{}, errors.New("key is not a signing key")
	}
	v := verifier{alg: alg}
	switch k := key.Key.(type) {
	case *ecdsa.PrivateKey:
		v.pub = &k.PublicKey
	case *rsa.PrivateKey:
		v.pub = &k.PublicKey
	case ed25519.PrivateKey:
		v.pub = k.Public()
	default:
		v.pub = k
	}
	switch k := v.pub.(type) {
	case *ecdsa.PublicKey:
		if curveFor(alg) == nil || k.Curve != curveFor(alg) {
			return verifier{}, errors.New("alg does not fit the key")
		}
	case ed25519.PublicKey:
		if alg != jose.EdDSA || len(k) != ed25519.PublicKeySize {
			return verifier{}, errors.New("alg does not fit the key")
		}
	case *rsa.PublicKey:
		if alg != jose.RS256 && alg != jose.PS256 {
			return verifier{}, errors.New("alg does not fit the key")
		}
		if k.N.BitLen() < minRSABits {
			return verifier{}, errors.New("RSA key too short")
		}
	default:
		return verifier{}, errors.New("key is not a signature key")
	}
	return v, nil
}

// verify reports whether sig is a valid signature of input.
func (v verifier) verify(input string, sig []byte) bool {
	in := unsafe.Slice(unsafe.StringData(input), len(input)) // read only
	switch k := v.pub.(type) {
	case ed25519.PublicKey:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k, in, sig)
	case *ecdsa.PublicKey:
		n := coordSize(k.Curve)
		if len(sig) != 2*n {
			return false
		}
		var buf [2*48 + 16]byte
		der := derFromRaw(buf[:0], sig[:n], sig[n:])
		d, _ := digest(v.alg, in)
		return ecdsa.VerifyASN1(k, d, der)
	case *rsa.PublicKey:
		if len(sig) != k.Size() {
			return false
		}
		d, h := digest(v.alg, in)
		if v.alg == jose.PS256 {
			return rsa.VerifyPSS(k, h, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		}
		return rsa.VerifyPKCS1v15(k, h, d, sig) == nil
	}
	return false
}

// rawFromDER converts an ASN.1 ECDSA signature, SEQUENCE { INTEGER r, INTEGER s }, to the
// fixed-width r||s of RFC 7518 §3.4.
func rawFromDER(der []byte, n int) ([]byte, error) {
	bad := errors.New("malformed ECDSA signature")
	if len(der) < 2 || der[0] != 0x30 {
		return nil, bad
	}
	body, ok := derBody(der[1:])
	if !ok {
		return nil, bad
	}
	out := make([]byte, 2*n)
	for i := 0; i < 2; i++ {
		if len(body) < 2 || body[0] != 0x02 {
			return nil, bad
		}
		v, rest, ok := derInt(body[1:])
		if !ok {
			return nil, bad
		}
		for len(v) > 0 && v[0] == 0 {
			v = v[1:]
		}
		if len(v) > n {
			return nil, bad
		}
		copy(out[i*n+n-len(v):(i+1)*n], v)
		body = rest
	}
	if len(body) != 0 {
		return nil, bad
	}
	return out, nil
}

// derBody returns the content of a DER value whose length octets start b, which must span
// exactly the rest of b.
func derBody(b []byte) ([]byte, bool) {
	v, rest, ok := derInt(b)
	return v, ok && len(rest) == 0
}

// derInt splits a DER length-prefixed value at b into its content and the rest.
func derInt(b []byte) (val, rest []byte, ok bool) {
	if len(b) < 1 {
		return nil, nil, false
	}
	l, b := int(b[0]), b[1:]
	if l == 0x81 {
		if len(b) < 1 {
			return nil, nil, false
		}
		l, b = int(b[0]), b[1:]
	} else if l > 0x7f {
		return nil, nil, false
	}
	if l > len(b) {
		return nil, nil, false
	}
	return b[:l], b[l:], true
}

// derFromRaw appends the ASN.1 form of the ECDSA signature (r, s) to b.
func derFromRaw(b, r, s []byte) []byte {
	r, s = trimInt(r), trimInt(s)
	lr, ls := intLen(r), intLen(s)
	body := 2 + lr + 2 + ls
	b = append(b, 0x30)
	if body >= 0x80 {
		b = append(b, 0x81)
	}
	b = append(b, byte(body))
	b = appendInt(b, r, lr)
	return appendInt(b, s, ls)
}

func trimInt(v []byte) []byte {
	for len(v) > 1 && v[0] == 0 {
		v = v[1:]
	}
	return v
}

func intLen(v []byte) int {
	if v[0]&0x80 != 0 {
		return len(v) + 1
	}
	return len(v)
}

func appendInt(b, v []byte, l int) []byte {
	b = append(b, 0x02, byte(l))
	if l > len(v) {
		b = append(b, 0)
	}
	return append(b, v...)
}

package keyset

import (
	"crypto/elliptic"
	"errors"
	"fmt"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// Algorithms a key set holds keys for. Each names the JOSE algorithm a key is for (RFC 7518)
// and fixes its use and key type.
const (
	// ES256 is ECDSA with P-256 and SHA-256 (use "sig"); the default signing algorithm.
	ES256 = "ES256"
	// ES384 is ECDSA with P-384 and SHA-384 (use "sig").
	ES384 = "ES384"
	// EdDSA is Ed25519 (use "sig", RFC 8037).
	EdDSA = "EdDSA"
	// RS256 is RSASSA-PKCS1-v1_5 with SHA-256 (use "sig").
	RS256 = "RS256"
	// PS256 is RSASSA-PSS with SHA-256 (use "sig").
	PS256 = "PS256"
	// RSAOAEP256 is RSAES-OAEP with SHA-256 key encryption (use "enc").
	RSAOAEP256 = "RSA-OAEP-256"
	// ECDHESA256KW is ECDH-ES key agreement with A256KW key wrapping (use "enc").
	ECDHESA256KW = "ECDH-ES+A256KW"
	// A256GCM is a 256-bit AES-GCM key for the encrypted-state format (use "enc").
	A256GCM = "A256GCM"
	// HS256 is an HMAC-SHA256 key of at least 256 bits for opaque tokens (use "sig").
	HS256 = "HS256"
)

// Key uses (RFC 7517 §4.2).
const (
	UseSig = "sig"
	UseEnc = "enc"
)

// Errors the loaders, Generate and Set return, wrapped with detail that never includes key
// material. Match them with errors.Is.
var (
	// ErrUnsupportedAlgorithm reports an algorithm outside the allow-list above.
	ErrUnsupportedAlgorithm = errors.New("keyset: unsupported algorithm")
	// ErrWeakKey reports a key too small or otherwise unsafe for its algorithm: RSA under
	// 2048 bits or with a public exponent under 65537 or with the ROCA fingerprint, a
	// symmetric secret under 256 bits.
	ErrWeakKey = errors.New("keyset: weak key")
	// ErrKeyMismatch reports a key that contradicts its job: a key type or curve that does
	// not fit the algorithm, a use or key_ops that contradicts it, a certificate whose public
	// key is not the private key's, a public key where a private one is needed.
	ErrKeyMismatch = errors.New("keyset: key does not fit its algorithm or use")
	// ErrMalformed reports input a loader cannot parse.
	ErrMalformed = errors.New("keyset: malformed key")
	// ErrCertificate reports an X.509 certificate that is expired, not yet valid, or whose
	// chain does not link.
	ErrCertificate = errors.New("keyset: certificate not acceptable")
	// ErrDuplicateKeyID reports two keys with the same kid in one set.
	ErrDuplicateKeyID = errors.New("keyset: duplicate kid")
	// ErrSealed reports sealed key material that cannot be opened: a wrong key-encryption key
	// or data changed in the store.
	ErrSealed = errors.New("keyset: cannot open sealed key (wrong key-encryption key or corrupted data)")
)

type kty int

const (
	ktyEC kty = iota + 1
	ktyOKP
	ktyRSA
	ktyOct
)

// spec is what an algorithm demands of its key.
type spec struct {
	use    string
	kty    kty
	curves []elliptic.Curve // EC: the curves allowed; the first is generated
	minLen int              // oct: minimum secret length in bytes
	maxLen int              // oct: maximum (0: none)
}

var specs = map[string]spec{
	ES256:        {use: UseSig, kty: ktyEC, curves: []elliptic.Curve{elliptic.P256()}},
	ES384:        {use: UseSig, kty: ktyEC, curves: []elliptic.Curve{elliptic.P384()}},
	EdDSA:        {use: UseSig, kty: ktyOKP},
	RS256:        {use: UseSig, kty: ktyRSA},
	PS256:        {use: UseSig, kty: ktyRSA},
	RSAOAEP256:   {use: UseEnc, kty: ktyRSA},
	ECDHESA256KW: {use: UseEnc, kty: ktyEC, curves: []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()}},
	A256GCM:      {use: UseEnc, kty: ktyOct, minLen: 32, maxLen: 32},
	HS256:        {use: UseSig, kty: ktyOct, minLen: 32},
}

func lookupSpec(alg string) (spec, error) {
	s, ok := specs[alg]
	if !ok {
		return spec{}, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, truncate(alg))
	}
	return s, nil
}

// UseOf returns the use ("sig" or "enc") of keys for alg, or an error matching
// ErrUnsupportedAlgorithm.
func UseOf(alg string) (string, error) {
	s, err := lookupSpec(alg)
	return s.use, err
}

// Symmetric reports whether keys for alg are secret keys (A256GCM, HS256), which are never
// published.
func Symmetric(alg string) bool { return specs[alg].kty == ktyOct }

// minRSABits is the RSA modulus size keys are generated with, the smallest the core accepts;
// the strength rule itself (size bounds, exponent, ROCA) is josecore.CheckRSAPublicKey.
const minRSABits = josecore.MinRSABits

// truncate bounds attacker-controlled strings quoted in error messages.
func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

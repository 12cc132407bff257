package keyset

import (
	"errors"
	"github.com/oauthkit/oauthkit/internal/josecore"

	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
)

// Key is one key of a key set: its kid, use, algorithm and state, the parsed key material,
// the public JWK that the JWKS publishes, and the X.509 chain it was loaded with, if any.
//
// A Key is immutable: a Set changes a key's state by replacing it with a copy, so a *Key and
// the *jose.JSONWebKey it hands out may be shared freely between goroutines. Callers must not
// modify what JWK and Public return.
type Key struct {
	jwk     jose.JSONWebKey  // the material: private, secret, or public-only; kid, alg, use set
	pub     *jose.JSONWebKey // the public JWK; nil for symmetric keys
	pubJSON []byte           // pub marshalled, as persisted in provider.Key.Public
	private bool             // jwk holds private or secret material

	state                             provider.KeyState
	createdAt, activatedAt, retiredAt time.Time

	sealed []byte // the sealed material as last stored (Set only)
}

// ID returns the key ID (kid).
func (k *Key) ID() string { return k.jwk.KeyID }

// Use returns "sig" or "enc".
func (k *Key) Use() string { return k.jwk.Use }

// Algorithm returns the JOSE algorithm the key is for.
func (k *Key) Algorithm() string { return k.jwk.Algorithm }

// State returns where the key is in its life; zero for a key not (yet) in a set.
func (k *Key) State() provider.KeyState { return k.state }

// CreatedAt returns when the key was generated or imported.
func (k *Key) CreatedAt() time.Time { return k.createdAt }

// ActivatedAt returns when the key became active; zero if it never was.
func (k *Key) ActivatedAt() time.Time { return k.activatedAt }

// RetiredAt returns when the key was retired; zero if it is not.
func (k *Key) RetiredAt() time.Time { return k.retiredAt }

// Certificates returns the X.509 chain the key was loaded with, leaf first; nil if none.
func (k *Key) Certificates() []*x509.Certificate { return k.jwk.Certificates }

// Private reports whether the key holds private or secret material, as opposed to a public
// key loaded to verify or to encrypt to.
func (k *Key) Private() bool { return k.private }

// JWK returns the key with its material in jose.JSONWebKey.Key (*ecdsa.PrivateKey,
// *rsa.PrivateKey, ed25519.PrivateKey, []byte for symmetric keys, or the public key for a
// public-only Key), with KeyID, Algorithm and Use set. It is what a KeySource hands a token
// format. The caller must not modify it.
func (k *Key) JWK() *jose.JSONWebKey { return &k.jwk }

// Public returns the public JWK (with x5c and x5t#S256 when the key came with a
// certificate), or nil for a symmetric key. The caller must not modify it.
func (k *Key) Public() *jose.JSONWebKey { return k.pub }

// WithState returns a copy of k in the given state, for building a Static source.
func (k *Key) WithState(s provider.KeyState) *Key {
	c := *k
	c.state = s
	return &c
}

// GenerateOption tunes Generate.
type GenerateOption func(*genOptions)

type genOptions struct {
	rsaBits int
	kid     string
}

// WithRSABits sets the modulus size of a generated RSA key: 2048 (the default), 3072 or 4096.
func WithRSABits(bits int) GenerateOption { return func(o *genOptions) { o.rsaBits = bits } }

// WithKeyID sets the kid of a generated key instead of its RFC 7638 thumbprint.
func WithKeyID(kid string) GenerateOption { return func(o *genOptions) { o.kid = kid } }

// Generate creates a new key for alg (one of the algorithm constants) from crypto/rand. Its kid
// is the RFC 7638 SHA-256 thumbprint unless WithKeyID says otherwise; symmetric keys are 256
// bits.
func Generate(alg string, opts ...GenerateOption) (*Key, error) {
	o := genOptions{rsaBits: minRSABits}
	for _, opt := range opts {
		opt(&o)
	}
	k, err := generate(alg, o)
	if err != nil {
		return nil, err
	}
	k.createdAt = time.Now()
	return k, nil
}

func generate(alg string, o genOptions) (*Key, error) {
	sp, err := lookupSpec(alg)
	if err != nil {
		return nil, err
	}
	var material any
	switch sp.kty {
	case ktyEC:
		material, err = ecdsa.GenerateKey(sp.curves[0], rand.Reader)
	case ktyOKP:
		_, material, err = ed25519.GenerateKey(rand.Reader)
	case ktyRSA:
		if o.rsaBits != 2048 && o.rsaBits != 3072 && o.rsaBits != 4096 {
			return nil, fmt.Errorf("keyset: generate %s: RSA size must be 2048, 3072 or 4096 bits, not %d", alg, o.rsaBits)
		}
		material, err = rsa.GenerateKey(rand.Reader, o.rsaBits)
	case ktyOct:
		b := make([]byte, 32)
		_, err = rand.Read(b)
		material = b
	}
	if err != nil {
		return nil, fmt.Errorf("keyset: generate %s: %w", alg, err)
	}
	return newKey(material, alg, o.kid, nil)
}

// newKey checks material against alg's policy and builds a Key. certs, if any, must carry the
// material's public key in the leaf; their validity window is the caller's business.
func newKey(material any, alg, kid string, certs []*x509.Certificate) (*Key, error) {
	sp, err := lookupSpec(alg)
	if err != nil {
		return nil, err
	}
	material, public, private, err := checkMaterial(sp, alg, material)
	if err != nil {
		return nil, err
	}
	if len(certs) > 0 {
		if public == nil {
			return nil, fmt.Errorf("%w: a symmetric key cannot have a certificate", ErrKeyMismatch)
		}
		if !samePublic(certs[0].PublicKey, public) {
			return nil, fmt.Errorf("%w: the certificate's public key is not the key's", ErrKeyMismatch)
		}
	}
	k := &Key{private: private}
	k.jwk = jose.JSONWebKey{Key: material, Algorithm: alg, Use: sp.use}
	if public != nil {
		pub := jose.JSONWebKey{Key: public, Algorithm: alg, Use: sp.use}
		if len(certs) > 0 {
			pub.Certificates = slices.Clone(certs)
			sum := sha256.Sum256(certs[0].Raw)
			pub.CertificateThumbprintSHA256 = sum[:]
			k.jwk.Certificates = pub.Certificates
			k.jwk.CertificateThumbprintSHA256 = pub.CertificateThumbprintSHA256
		}
		k.pub = &pub
	}
	if kid == "" {
		kid, err = thumbprint(material, public)
		if err != nil {
			return nil, err
		}
	}
	if len(kid) > provider.MaxKeyLen {
		return nil, fmt.Errorf("%w: kid longer than %d bytes", ErrMalformed, provider.MaxKeyLen)
	}
	k.jwk.KeyID = kid
	if k.pub != nil {
		k.pub.KeyID = kid
		// Marshalling also runs go-jose's own checks (low-order Ed25519 points, thumbprint
		// consistency), so a key that would not publish is refused here.
		if k.pubJSON, err = json.Marshal(k.pub); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeyMismatch, err)
		}
	}
	return k, nil
}

// thumbprint is the RFC 7638 SHA-256 thumbprint, base64url without padding. For a symmetric
// key it is computed over {"k":…,"kty":"oct"}; it is a one-way function of the secret, so it
// reveals nothing about a random secret (and symmetric keys are never published anyway).
func thumbprint(material, public any) (string, error) {
	if b, ok := material.([]byte); ok {
		in := `{"k":"` + base64.RawURLEncoding.EncodeToString(b) + `","kty":"oct"}`
		sum := sha256.Sum256([]byte(in))
		return base64.RawURLEncoding.EncodeToString(sum[:]), nil
	}
	j := jose.JSONWebKey{Key: public}
	t, err := j.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrKeyMismatch, err)
	}
	return base64.RawURLEncoding.EncodeToString(t), nil
}

func samePublic(a, b any) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// checkMaterial applies the key policy of alg to material and returns the material to keep
// (symmetric secrets copied), its public key (nil for symmetric keys), and whether it is
// private.
func checkMaterial(sp spec, alg string, material any) (keep, public any, private bool, err error) {
	mismatch := func(what string) (any, any, bool, error) {
		return nil, nil, false, fmt.Errorf("%w: %s key for %s", ErrKeyMismatch, what, alg)
	}
	switch m := material.(type) {
	case *ecdsa.PrivateKey:
		if sp.kty != ktyEC {
			return mismatch("an EC")
		}
		if err := checkCurve(sp, alg, &m.PublicKey); err != nil {
			return nil, nil, false, err
		}
		// go-jose does not check that d belongs to (x, y); derive the public key again.
		size := (m.Curve.Params().N.BitLen() + 7) / 8
		if m.D == nil || m.D.Sign() <= 0 || m.D.BitLen() > size*8 {
			return nil, nil, false, fmt.Errorf("%w: invalid EC private scalar", ErrMalformed)
		}
		derived, err := ecdsa.ParseRawPrivateKey(m.Curve, m.D.FillBytes(make([]byte, size)))
		if err != nil {
			return nil, nil, false, fmt.Errorf("%w: invalid EC private scalar", ErrMalformed)
		}
		if !derived.PublicKey.Equal(&m.PublicKey) {
			return nil, nil, false, fmt.Errorf("%w: EC public point does not match the private scalar", ErrKeyMismatch)
		}
		return derived, &derived.PublicKey, true, nil
	case *ecdsa.PublicKey:
		if sp.kty != ktyEC {
			return mismatch("an EC")
		}
		if err := checkCurve(sp, alg, m); err != nil {
			return nil, nil, false, err
		}
		return m, m, false, nil
	case ed25519.PrivateKey:
		if sp.kty != ktyOKP {
			return mismatch("an Ed25519")
		}
		if len(m) != ed25519.PrivateKeySize {
			return nil, nil, false, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrMalformed, len(m))
		}
		derived := ed25519.NewKeyFromSeed(m.Seed())
		if !bytes.Equal(derived[32:], m[32:]) {
			return nil, nil, false, fmt.Errorf("%w: Ed25519 public key does not match the seed", ErrKeyMismatch)
		}
		return derived, derived.Public(), true, nil
	case ed25519.PublicKey:
		if sp.kty != ktyOKP {
			return mismatch("an Ed25519")
		}
		if len(m) != ed25519.PublicKeySize {
			return nil, nil, false, fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrMalformed, len(m))
		}
		return m, m, false, nil
	case *rsa.PrivateKey:
		if sp.kty != ktyRSA {
			return mismatch("an RSA")
		}
		if err := checkRSA(&m.PublicKey); err != nil {
			return nil, nil, false, err
		}
		if len(m.Primes) != 2 {
			return nil, nil, false, fmt.Errorf("%w: multi-prime RSA keys are not supported", ErrMalformed)
		}
		if err := m.Validate(); err != nil {
			return nil, nil, false, fmt.Errorf("%w: invalid RSA private key: %v", ErrMalformed, err)
		}
		m.Precompute()
		return m, &m.PublicKey, true, nil
	case *rsa.PublicKey:
		if sp.kty != ktyRSA {
			return mismatch("an RSA")
		}
		if err := checkRSA(m); err != nil {
			return nil, nil, false, err
		}
		return m, m, false, nil
	case []byte:
		if sp.kty != ktyOct {
			return mismatch("a symmetric")
		}
		if len(m) < sp.minLen {
			return nil, nil, false, fmt.Errorf("%w: %s needs a secret of at least %d bits, got %d", ErrWeakKey, alg, sp.minLen*8, len(m)*8)
		}
		if sp.maxLen > 0 && len(m) > sp.maxLen {
			return nil, nil, false, fmt.Errorf("%w: %s needs a secret of exactly %d bits, got %d", ErrKeyMismatch, alg, sp.maxLen*8, len(m)*8)
		}
		return bytes.Clone(m), nil, true, nil
	case nil:
		return nil, nil, false, fmt.Errorf("%w: no key material", ErrMalformed)
	}
	return nil, nil, false, fmt.Errorf("%w: unsupported key type %T for %s", ErrKeyMismatch, material, alg)
}

func checkCurve(sp spec, alg string, pub *ecdsa.PublicKey) error {
	if pub.Curve == nil || pub.X == nil || pub.Y == nil {
		return fmt.Errorf("%w: incomplete EC public key", ErrMalformed)
	}
	if !slices.Contains(sp.curves, pub.Curve) {
		return fmt.Errorf("%w: curve %s does not fit %s", ErrKeyMismatch, pub.Curve.Params().Name, alg)
	}
	if _, err := pub.ECDH(); err != nil { // rejects points not on the curve
		return fmt.Errorf("%w: EC point not on the curve", ErrMalformed)
	}
	return nil
}

func checkRSA(pub *rsa.PublicKey) error {
	if pub.N == nil {
		return fmt.Errorf("%w: incomplete RSA public key", ErrMalformed)
	}
	switch err := josecore.CheckRSAPublicKey(pub); {
	case errors.Is(err, josecore.ErrRSATooLong):
		return fmt.Errorf("%w: RSA modulus of %d bits, at most %d are accepted", ErrKeyMismatch, pub.N.BitLen(), josecore.MaxRSABits)
	case errors.Is(err, josecore.ErrRSATooShort):
		return fmt.Errorf("%w: RSA modulus of %d bits, need at least %d", ErrWeakKey, pub.N.BitLen(), josecore.MinRSABits)
	case errors.Is(err, josecore.ErrRSAExponent):
		return fmt.Errorf("%w: RSA public exponent %d (need an odd exponent ≥ %d)", ErrWeakKey, pub.E, josecore.MinRSAExponent)
	case err != nil:
		return fmt.Errorf("%w: %v", ErrWeakKey, err)
	}
	return nil
}

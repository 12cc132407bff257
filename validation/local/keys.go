package local

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// ErrUnknownKey reports a kid a key set does not hold: it is tokenformat.ErrUnknownKey, the
// one sentinel for every key source. The Validator reports it as an invalid token.
var ErrUnknownKey = tokenformat.ErrUnknownKey

// Key is a parsed public verification key, ready for the hot path.
type Key struct {
	// ID is the key's kid; for keys loaded without one, the RFC 7638 SHA-256 thumbprint.
	ID string
	// Algorithm is the JWK's alg; when set, only tokens with that alg verify with the key.
	Algorithm string
	// Public is the key: *ecdsa.PublicKey (P-256, P-384, P-521), *rsa.PublicKey (at least
	// 2048 bits, without the ROCA fingerprint) or ed25519.PublicKey.
	Public crypto.PublicKey

	jwk     *jose.JSONWebKey // the same key as tokenformat.KeyLookup hands it out
	checked bool
}

// NewKey checks pub with the JOSE core and returns it as a Key. id must not be empty; alg
// may be.
func NewKey(id, alg string, pub crypto.PublicKey) (*Key, error) {
	if id == "" {
		return nil, errors.New("local: key: empty kid")
	}
	switch pub.(type) {
	case *ecdsa.PublicKey, *rsa.PublicKey, ed25519.PublicKey:
	default:
		return nil, fmt.Errorf("local: key %q: unsupported key type %T", id, pub)
	}
	if err := josecore.CheckPublicKey(pub); err != nil {
		return nil, fmt.Errorf("local: key %q: %w", id, err)
	}
	k := &Key{ID: id, Algorithm: alg, Public: pub, checked: true,
		jwk: &jose.JSONWebKey{Key: pub, KeyID: id, Algorithm: alg, Use: "sig"}}
	if alg != "" && !k.fits(jose.SignatureAlgorithm(alg)) {
		return nil, fmt.Errorf("local: key %q: alg %q does not fit the key type", id, alg)
	}
	return k, nil
}

// fits reports whether a token signed with alg may be verified with k: the algorithm must
// match the key's type (and curve), and the key's own alg, if it has one.
func (k *Key) fits(alg jose.SignatureAlgorithm) bool {
	if k.Algorithm != "" && k.Algorithm != string(alg) {
		return false
	}
	return josecore.CheckVerifyKey(alg, k.Public) == nil
}

// StaticKeys is a fixed set of verification keys, loaded once from JWKS JSON, PEM or X.509
// certificates. It never does I/O.
type StaticKeys struct {
	byID map[string]*Key
	only *Key
}

var _ tokenformat.KeyLookup = (*StaticKeys)(nil)

// NewStaticKeys returns a set of the given keys. Key IDs must be unique.
func NewStaticKeys(keys ...*Key) (*StaticKeys, error) {
	s := &StaticKeys{byID: make(map[string]*Key, len(keys))}
	for _, k := range keys {
		if k == nil || !k.checked {
			return nil, errors.New("local: static keys: a key was not made by NewKey")
		}
		if _, dup := s.byID[k.ID]; dup {
			return nil, fmt.Errorf("local: static keys: duplicate kid %q", k.ID)
		}
		s.byID[k.ID] = k
	}
	if len(keys) == 0 {
		return nil, errors.New("local: static keys: no keys")
	}
	if len(keys) == 1 {
		s.only = keys[0]
	}
	return s, nil
}

// Lookup returns the key with the given kid, or for kid "" the set's only key, or an error
// matching ErrUnknownKey.
func (s *StaticKeys) Lookup(_ context.Context, kid string) (*jose.JSONWebKey, error) {
	if k := lookup(s.byID, s.only, kid); k != nil {
		return k.jwk, nil
	}
	return nil, ErrUnknownKey
}

// IDs returns the key IDs of the set, sorted.
func (s *StaticKeys) IDs() []string {
	ids := make([]string, 0, len(s.byID))
	for id := range s.byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func lookup(byID map[string]*Key, only *Key, kid string) *Key {
	if kid == "" {
		return only
	}
	return byID[kid]
}

// ParseJWKS reads a JSON Web Key Set (RFC 7517 §5) and returns its verification keys. Keys
// that cannot verify tokens are skipped, not refused, so that a set may carry keys of other
// kinds: encryption keys (use "enc"), symmetric and private keys, unknown key types, weak RSA
// keys, keys without a kid when the set has more than one. It is an error when no key is
// left, when the JSON is not a key set, or when two usable keys share a kid.
func ParseJWKS(data []byte) (*StaticKeys, error) {
	keys, err := josecore.ReadJWKS(data, josecore.Skip, func(raw json.RawMessage, alone bool) (*Key, string, error) {
		k, err := parseJWK(raw, alone)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %v", josecore.ErrUnusable, err)
		}
		return k, k.ID, nil
	})
	if err != nil {
		return nil, fmt.Errorf("local: jwks: %w", err)
	}
	return NewStaticKeys(keys...)
}

// parseJWK reads one JWK as a verification key.
func parseJWK(raw json.RawMessage, alone bool) (*Key, error) {
	var meta struct {
		Use    string   `json:"use"`
		KeyOps []string `json:"key_ops"`
		D      *string  `json:"d"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, err
	}
	if meta.Use != "" && meta.Use != "sig" {
		return nil, errors.New("not a signature key")
	}
	if err := josecore.CheckKeyOps(meta.KeyOps, "sig", "verify"); err != nil {
		return nil, err
	}
	if meta.D != nil {
		return nil, errors.New("a private key in a public key set")
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return nil, err
	}
	if !jwk.IsPublic() {
		return nil, errors.New("not a public key")
	}
	id := jwk.KeyID
	if id == "" {
		if !alone {
			return nil, errors.New("no kid in a set of several keys")
		}
		tp, err := thumbprint(jwk.Key)
		if err != nil {
			return nil, err
		}
		id = tp
	}
	return NewKey(id, jwk.Algorithm, jwk.Key)
}

func thumbprint(pub crypto.PublicKey) (string, error) {
	id, err := josecore.Thumbprint(pub)
	if err != nil {
		return "", fmt.Errorf("local: %w", err)
	}
	return id, nil
}

// ParsePEM reads PEM blocks of public keys ("PUBLIC KEY" in PKIX form, "RSA PUBLIC KEY" in
// PKCS #1 form) and X.509 certificates ("CERTIFICATE"), and returns them as a key set. Each
// key's kid is its RFC 7638 thumbprint. A certificate that is not valid at now (expired or
// not yet valid) is refused, as is any other block type: a PEM file given as verification
// keys must hold nothing else.
func ParsePEM(data []byte, now time.Time) (*StaticKeys, error) {
	var keys []*Key
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		var pub crypto.PublicKey
		m, cert, err := josecore.ParsePEMBlock(block)
		switch {
		case err != nil:
		case cert != nil:
			pub, err = certificateKey(cert, now)
		case m == nil || isPrivate(m):
			err = fmt.Errorf("unexpected block type %q: verification keys are public keys or certificates", block.Type)
		default:
			pub = m
		}
		if err != nil {
			return nil, fmt.Errorf("local: pem block %d: %w", n, err)
		}
		id, err := thumbprint(pub)
		if err != nil {
			return nil, err
		}
		k, err := NewKey(id, "", pub)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("local: pem: no PEM blocks")
	}
	return NewStaticKeys(keys...)
}

// KeysFromCertificates returns the public keys of certs as a key set, each under its RFC
// 7638 thumbprint. A certificate that is not valid at now is refused.
func KeysFromCertificates(now time.Time, certs ...*x509.Certificate) (*StaticKeys, error) {
	var keys []*Key
	for _, c := range certs {
		pub, err := certificateKey(c, now)
		if err != nil {
			return nil, fmt.Errorf("local: certificate: %w", err)
		}
		id, err := thumbprint(pub)
		if err != nil {
			return nil, err
		}
		k, err := NewKey(id, "", pub)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return NewStaticKeys(keys...)
}

func certificateKey(c *x509.Certificate, now time.Time) (crypto.PublicKey, error) {
	if err := josecore.CheckCertificateTime(c, now); err != nil {
		return nil, err
	}
	return c.PublicKey, nil
}

// isPrivate reports whether key material is a private key.
func isPrivate(m any) bool {
	_, ok := m.(interface{ Public() crypto.PublicKey })
	return ok
}

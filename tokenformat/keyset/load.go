package keyset

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// LoadOptions tunes the loaders. The zero value checks certificates against time.Now and
// fails on any key it cannot use.
type LoadOptions struct {
	// Now is the clock certificate validity windows are checked against; default time.Now.
	Now func() time.Time
	// KeyID sets the kid of a loaded key. Default: the JWK's own kid, else the RFC 7638
	// thumbprint. ParseJWKS ignores it.
	KeyID string
	// SkipUnsupported makes ParseJWKS skip keys of an algorithm or key type outside the
	// allow-list (RFC 7517 §5 says such keys SHOULD be ignored) instead of failing. Weak and
	// contradictory keys are refused either way.
	SkipUnsupported bool
}

func (o LoadOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// MaxInput is the largest PEM, JWK or JWKS document the loaders accept.
const MaxInput = 1 << 20

// ParsePEM loads a key for alg from PEM. data holds either one private key — PKCS#8
// ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY") — optionally with
// its X.509 certificate chain (leaf first), or, for a public-only key to verify or encrypt
// to, a "PUBLIC KEY", "RSA PUBLIC KEY" or certificate chain. Certificates must be valid at
// opts.Now, link leaf to issuer, and carry the private key's public key; the public JWK then
// carries x5c and x5t#S256. Encrypted PEM is refused.
func ParsePEM(data []byte, alg string, opts LoadOptions) (*Key, error) {
	material, certs, err := parsePEM(data)
	if err != nil {
		return nil, err
	}
	if material == nil {
		if len(certs) == 0 {
			return nil, fmt.Errorf("%w: no key or certificate in PEM", ErrMalformed)
		}
		material = certs[0].PublicKey
	}
	return fromMaterial(material, alg, certs, opts)
}

// ParseX509 loads a key for alg from a PEM certificate chain (leaf first) and the PEM private
// key the leaf certifies. The certificates must be valid at opts.Now and link; the public JWK
// carries x5c and x5t#S256.
func ParseX509(chainPEM, keyPEM []byte, alg string, opts LoadOptions) (*Key, error) {
	material, extra, err := parsePEM(keyPEM)
	if err != nil {
		return nil, err
	}
	if len(extra) > 0 {
		return nil, fmt.Errorf("%w: certificate among the private key PEM", ErrMalformed)
	}
	if material == nil {
		return nil, fmt.Errorf("%w: no private key in PEM", ErrMalformed)
	}
	other, certs, err := parsePEM(chainPEM)
	if err != nil {
		return nil, err
	}
	if other != nil {
		return nil, fmt.Errorf("%w: key among the certificate chain PEM", ErrMalformed)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w: no certificate in chain PEM", ErrMalformed)
	}
	if !isPrivate(material) {
		return nil, fmt.Errorf("%w: the key PEM holds a public key", ErrKeyMismatch)
	}
	return fromMaterial(material, alg, certs, opts)
}

func fromMaterial(material any, alg string, certs []*x509.Certificate, opts LoadOptions) (*Key, error) {
	if err := checkChain(certs, opts.now()); err != nil {
		return nil, err
	}
	k, err := newKey(material, alg, opts.KeyID, certs)
	if err != nil {
		return nil, err
	}
	k.createdAt = opts.now()
	return k, nil
}

// parsePEM returns the one key (private or public) and the certificates in data.
func parsePEM(data []byte) (material any, certs []*x509.Certificate, err error) {
	if len(data) > MaxInput {
		return nil, nil, fmt.Errorf("%w: PEM larger than %d bytes", ErrMalformed, MaxInput)
	}
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		m, c, err := josecore.ParsePEMBlock(b)
		switch {
		case err != nil && b.Type == "CERTIFICATE":
			return nil, nil, fmt.Errorf("%w: certificate %d: %v", ErrMalformed, len(certs), err)
		case err != nil:
			return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		case c != nil:
			certs = append(certs, c)
			continue
		case m == nil:
			continue
		}
		if material != nil {
			return nil, nil, fmt.Errorf("%w: more than one key in PEM", ErrMalformed)
		}
		material = m
	}
	if material == nil && len(certs) == 0 {
		return nil, nil, fmt.Errorf("%w: no PEM block found", ErrMalformed)
	}
	return material, certs, nil
}

// checkChain refuses certificates outside their validity window at now and chains whose
// links do not verify. It does not check the chain against a trust store: the integrator
// chose these certificates; x5c merely publishes them.
func checkChain(certs []*x509.Certificate, now time.Time) error {
	for i, c := range certs {
		if err := josecore.CheckCertificateTime(c, now); err != nil {
			return fmt.Errorf("%w: certificate %d: %v", ErrCertificate, i, err)
		}
		if i+1 < len(certs) {
			if err := c.CheckSignatureFrom(certs[i+1]); err != nil {
				return fmt.Errorf("%w: certificate %d is not signed by certificate %d: %v", ErrCertificate, i, i+1, err)
			}
		}
	}
	return nil
}

// rawJWK holds the members of a JWK that decide what the key may be used for; go-jose parses
// the key material itself but ignores key_ops.
type rawJWK struct {
	Kty    string   `json:"kty"`
	Use    string   `json:"use"`
	Alg    string   `json:"alg"`
	Kid    string   `json:"kid"`
	KeyOps []string `json:"key_ops"`
	D      any      `json:"d"`
	K      any      `json:"k"`
}

func (r *rawJWK) hasSecret() bool { return r.D != nil || r.K != nil }

// ParseJWK loads one key from a JWK (RFC 7517). alg names the algorithm the key is for; ""
// takes the JWK's own "alg", which is then required. A JWK whose "alg", "use" or "key_ops"
// contradicts that algorithm, or whose x5c certificates are outside their validity window at
// opts.Now, is refused. The kid is opts.KeyID, else the JWK's kid, else its thumbprint.
func ParseJWK(data []byte, alg string, opts LoadOptions) (*Key, error) {
	if len(data) > MaxInput {
		return nil, fmt.Errorf("%w: JWK larger than %d bytes", ErrMalformed, MaxInput)
	}
	k, err := parseJWK(data, alg, opts.KeyID, opts)
	if err != nil {
		return nil, err
	}
	return k, nil
}

func parseJWK(data []byte, alg, kid string, opts LoadOptions) (*Key, error) {
	var raw rawJWK
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: JWK is not a JSON object", ErrMalformed)
	}
	switch {
	case alg == "" && raw.Alg == "":
		return nil, fmt.Errorf("%w: JWK has no \"alg\" and none was given", ErrUnsupportedAlgorithm)
	case alg == "":
		alg = raw.Alg
	case raw.Alg != "" && raw.Alg != alg:
		return nil, fmt.Errorf("%w: JWK \"alg\" is %q, wanted %q", ErrKeyMismatch, truncate(raw.Alg), alg)
	}
	sp, err := lookupSpec(alg)
	if err != nil {
		return nil, err
	}
	if raw.Use != "" && raw.Use != sp.use {
		return nil, fmt.Errorf("%w: JWK \"use\" is %q but %s keys are for %q", ErrKeyMismatch, truncate(raw.Use), alg, sp.use)
	}
	if err := checkKeyOps(raw.KeyOps, sp, raw.hasSecret()); err != nil {
		return nil, err
	}
	var j jose.JSONWebKey
	if err := j.UnmarshalJSON(data); err != nil {
		if errors.Is(err, jose.ErrUnsupportedKeyType) {
			return nil, fmt.Errorf("%w: JWK key type %q", ErrUnsupportedAlgorithm, truncate(raw.Kty))
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if j.IsPublic() == raw.hasSecret() {
		return nil, fmt.Errorf("%w: JWK private members do not match its key type", ErrMalformed)
	}
	if kid == "" {
		kid = raw.Kid
	}
	return fromMaterial(j.Key, alg, j.Certificates, LoadOptions{Now: opts.Now, KeyID: kid})
}

// checkKeyOps applies the core's one key_ops rule (josecore.CheckKeyOps) with what the key
// is loaded for: "sign" for a private signing key, "verify" for a public one, a decrypting
// operation for a private encryption key and an encrypting one for a public key.
func checkKeyOps(ops []string, sp spec, private bool) error {
	var need []string
	switch {
	case sp.use == UseSig && private:
		need = []string{"sign"}
	case sp.use == UseSig:
		need = []string{"verify"}
	case sp.kty == ktyOct:
		need = []string{"encrypt", "decrypt"}
	case private:
		need = []string{"decrypt", "unwrapKey", "deriveKey", "deriveBits"}
	default:
		need = []string{"encrypt", "wrapKey", "deriveKey", "deriveBits"}
	}
	switch err := josecore.CheckKeyOps(ops, sp.use, need...); {
	case errors.Is(err, josecore.ErrKeyOpsRepeat):
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	case err != nil:
		return fmt.Errorf("%w: %v", ErrKeyMismatch, err)
	}
	return nil
}

// ParseJWKS loads the keys of a JWK Set. alg, if not "", is the algorithm every key must be
// for; "" takes each key's own "alg". The set must hold private keys only or public keys
// only, with distinct kids (a mixed or ambiguous set is refused whole, as Wycheproof
// expects). Each key is checked as ParseJWK checks it.
func ParseJWKS(data []byte, alg string, opts LoadOptions) ([]*Key, error) {
	if len(data) > MaxInput {
		return nil, fmt.Errorf("%w: JWKS larger than %d bytes", ErrMalformed, MaxInput)
	}
	// A key file the operator gives is refused whole on a key it cannot use; SkipUnsupported
	// skips keys of an algorithm or type outside the allow-list (RFC 7517 §5), never weak or
	// contradictory ones.
	rule := josecore.Refuse
	if opts.SkipUnsupported {
		rule = josecore.Skip
	}
	keys, err := josecore.ReadJWKS(data, rule, func(raw json.RawMessage, _ bool) (*Key, string, error) {
		k, err := parseJWK(raw, alg, "", opts)
		if err != nil {
			if errors.Is(err, ErrUnsupportedAlgorithm) {
				return nil, "", fmt.Errorf("%w (%w)", err, josecore.ErrUnusable)
			}
			return nil, "", err
		}
		return k, k.ID(), nil
	})
	switch {
	case errors.Is(err, josecore.ErrDuplicateKID):
		return nil, fmt.Errorf("%w: %v", ErrDuplicateKeyID, err)
	case errors.Is(err, josecore.ErrJWKSSyntax), errors.Is(err, josecore.ErrNoUsableKey):
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	case err != nil:
		return nil, err
	}
	for _, k := range keys[1:] {
		if k.private != keys[0].private {
			return nil, fmt.Errorf("%w: JWKS mixes private and public keys", ErrKeyMismatch)
		}
	}
	return keys, nil
}

// storedChain parses the x5c of a stored public JWK. The store is not trusted with it:
// newKey checks that the leaf certifies the sealed key.
func storedChain(public []byte) ([]*x509.Certificate, error) {
	if len(public) == 0 {
		return nil, nil
	}
	var raw struct {
		X5c []string `json:"x5c"`
	}
	if err := json.Unmarshal(public, &raw); err != nil {
		return nil, fmt.Errorf("%w: stored public JWK", ErrMalformed)
	}
	var certs []*x509.Certificate
	for _, s := range raw.X5c {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: stored x5c", ErrMalformed)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: stored x5c: %v", ErrMalformed, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func isPrivate(m any) bool {
	switch m.(type) {
	case interface{ Public() crypto.PublicKey }:
		return true
	}
	return false
}

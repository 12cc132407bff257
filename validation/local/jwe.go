package local

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// Decryption configures how a Validator opens JWE access tokens: a JWS nested in a compact
// JWE (RFC 7516, cty "JWT"), encrypted to this resource server's public key. The inner JWS
// is then validated exactly as a bare one.
type Decryption struct {
	// Keys are the resource server's private decryption keys, each with its kid as the
	// authorization server knows it (Key is *rsa.PrivateKey or *ecdsa.PrivateKey). Required.
	Keys []jose.JSONWebKey
	// KeyAlgorithms are the allowed key-management algorithms. Default RSA-OAEP-256 and
	// ECDH-ES+A256KW.
	KeyAlgorithms []jose.KeyAlgorithm
	// ContentEncryption are the allowed content encryptions. Default A256GCM.
	ContentEncryption []jose.ContentEncryption
}

type decrypter struct {
	keys     map[string]any
	only     any
	keyAlgs  []jose.KeyAlgorithm
	contents []jose.ContentEncryption
}

func newDecrypter(d *Decryption) (*decrypter, error) {
	if len(d.Keys) == 0 {
		return nil, errors.New("local: New: Options.Decryption.Keys is empty")
	}
	dc := &decrypter{
		keys:     make(map[string]any, len(d.Keys)),
		keyAlgs:  d.KeyAlgorithms,
		contents: d.ContentEncryption,
	}
	if len(dc.keyAlgs) == 0 {
		dc.keyAlgs = []jose.KeyAlgorithm{jose.RSA_OAEP_256, jose.ECDH_ES_A256KW}
	}
	if len(dc.contents) == 0 {
		dc.contents = []jose.ContentEncryption{jose.A256GCM}
	}
	for _, a := range dc.keyAlgs {
		switch a {
		case jose.RSA_OAEP_256, jose.RSA_OAEP, jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A192KW, jose.ECDH_ES_A256KW:
		default:
			return nil, fmt.Errorf("local: New: Options.Decryption.KeyAlgorithms: %q is not allowed", a)
		}
	}
	for i, k := range d.Keys {
		switch k.Key.(type) {
		case *rsa.PrivateKey, *ecdsa.PrivateKey:
		default:
			return nil, fmt.Errorf("local: New: Options.Decryption.Keys[%d]: want an RSA or EC private key, have %T", i, k.Key)
		}
		if _, dup := dc.keys[k.KeyID]; dup {
			return nil, fmt.Errorf("local: New: Options.Decryption.Keys: duplicate kid %q", k.KeyID)
		}
		dc.keys[k.KeyID] = k.Key
	}
	if len(d.Keys) == 1 {
		dc.only = d.Keys[0].Key
	}
	return dc, nil
}

// decrypt opens a compact JWE and returns its plaintext, which must be a nested JWT (RFC
// 7516 §4.1.13: cty "JWT"). The envelope and header are checked by the JOSE core, as the
// authorization server's jwe format checks them; go-jose decrypts.
func (d *decrypter) decrypt(token string) (string, error) { return d.open(token, true) }

// open is decrypt; nested false lifts the cty rule for the Wycheproof test, whose vectors
// hold no JWT.
func (d *decrypter) open(token string, nested bool) (string, error) {
	h, err := josecore.ParseJWE(token, "", nested)
	if err != nil {
		return "", invalid("JWE: " + err.Error())
	}
	obj, err := jose.ParseEncryptedCompact(token, d.keyAlgs, d.contents)
	if err != nil {
		return "", invalid("not a JWE with allowed algorithms")
	}
	key := d.only
	if h.Kid != "" {
		key = d.keys[h.Kid]
	}
	if key == nil {
		return "", invalid("the JWE is encrypted to an unknown key")
	}
	plain, err := obj.Decrypt(key)
	if err != nil {
		return "", invalid("the JWE does not decrypt")
	}
	return string(plain), nil
}

package keyset_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwkWith returns the JSON of k's JWK with members overridden (nil deletes a member).
func jwkWith(t testing.TB, k *jose.JSONWebKey, members map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for name, v := range members {
		if v == nil {
			delete(m, name)
		} else {
			m[name] = v
		}
	}
	b, _ = json.Marshal(m)
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func TestWeakAndContradictoryKeysAreRefused(t *testing.T) {
	es256 := genKey(t, keyset.ES256)
	es384 := genKey(t, keyset.ES384)
	rs := genKey(t, keyset.RS256)
	ed := genKey(t, keyset.EdDSA)
	hs := genKey(t, keyset.HS256)
	ecdhKey := genKey(t, keyset.ECDHESA256KW)

	// An EC key whose d does not belong to (x, y): go-jose accepts it as is.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged := jwkWith(t, es256.JWK(), map[string]any{"d": b64(other.D.FillBytes(make([]byte, 32)))})

	cases := []struct {
		name string
		load func() (*keyset.Key, error)
		want error
	}{
		{"RSA 1024 bits", func() (*keyset.Key, error) {
			return keyset.ParsePEM(readFile(t, "rsa1024.pem"), keyset.RS256, keyset.LoadOptions{})
		}, keyset.ErrWeakKey},
		{"RSA public exponent 3", func() (*keyset.Key, error) {
			return keyset.ParsePEM(readFile(t, "rsa2048-e3.pem"), keyset.RS256, keyset.LoadOptions{})
		}, keyset.ErrWeakKey},
		{"HS256 secret of 31 bytes", func() (*keyset.Key, error) {
			return keyset.ParseJWK([]byte(`{"kty":"oct","alg":"HS256","k":"`+b64(make([]byte, 31))+`"}`), "", keyset.LoadOptions{})
		}, keyset.ErrWeakKey},
		{"HS256 empty secret", func() (*keyset.Key, error) {
			return keyset.ParseJWK([]byte(`{"kty":"oct","alg":"HS256","k":""}`), "", keyset.LoadOptions{})
		}, keyset.ErrWeakKey},
		{"A256GCM of 128 bits", func() (*keyset.Key, error) {
			return keyset.ParseJWK([]byte(`{"kty":"oct","alg":"A256GCM","k":"`+b64(make([]byte, 16))+`"}`), "", keyset.LoadOptions{})
		}, keyset.ErrWeakKey},
		{"A256GCM of 384 bits", func() (*keyset.Key, error) {
			return keyset.ParseJWK([]byte(`{"kty":"oct","alg":"A256GCM","k":"`+b64(make([]byte, 48))+`"}`), "", keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"P-384 key for ES256", func() (*keyset.Key, error) {
			return keyset.ParsePEM(pkcs8PEM(t, es384.JWK().Key), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"P-256 key for ES384", func() (*keyset.Key, error) {
			return keyset.ParsePEM(pkcs8PEM(t, es256.JWK().Key), keyset.ES384, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"secp256k1 key for ES256", func() (*keyset.Key, error) {
			return keyset.ParsePEM(readFile(t, "ec-secp256k1.pem"), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrMalformed},
		{"EC key for RS256", func() (*keyset.Key, error) {
			return keyset.ParsePEM(pkcs8PEM(t, es256.JWK().Key), keyset.RS256, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"RSA key for ES256", func() (*keyset.Key, error) {
			return keyset.ParsePEM(pkcs8PEM(t, rs.JWK().Key), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"Ed25519 key for ES256", func() (*keyset.Key, error) {
			return keyset.ParsePEM(pkcs8PEM(t, ed.JWK().Key), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"X25519 key for ECDH-ES+A256KW", func() (*keyset.Key, error) {
			return keyset.ParsePEM(readFile(t, "x25519.pem"), keyset.ECDHESA256KW, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"HMAC secret for ES256", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, hs.JWK(), map[string]any{"alg": nil}), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"EC key for HS256", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.JWK(), map[string]any{"alg": nil}), keyset.HS256, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"use enc offered for ES256 signing", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.JWK(), map[string]any{"use": "enc"}), "", keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"use sig offered for ECDH-ES+A256KW", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, ecdhKey.JWK(), map[string]any{"use": "sig"}), "", keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"key_ops verify on a private signing key", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.JWK(), map[string]any{"key_ops": []string{"verify"}}), "", keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"key_ops sign on a public key", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.Public(), map[string]any{"key_ops": []string{"sign"}}), "", keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"key_ops encrypt on a signing key", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.JWK(), map[string]any{"key_ops": []string{"sign", "encrypt"}}), "", keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"key_ops repeated", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.JWK(), map[string]any{"key_ops": []string{"sign", "sign"}}), "", keyset.LoadOptions{})
		}, keyset.ErrMalformed},
		{"JWK alg RS256 loaded as ES256", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.JWK(), map[string]any{"alg": "RS256"}), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrKeyMismatch},
		{"JWK alg none", func() (*keyset.Key, error) {
			return keyset.ParseJWK(jwkWith(t, es256.JWK(), map[string]any{"alg": "none"}), "", keyset.LoadOptions{})
		}, keyset.ErrUnsupportedAlgorithm},
		{"EC private scalar not matching the public point", func() (*keyset.Key, error) { return keyset.ParseJWK(forged, "", keyset.LoadOptions{}) }, keyset.ErrKeyMismatch},
		{"Ed25519 low-order public key", func() (*keyset.Key, error) {
			return keyset.ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","x":"`+b64(make([]byte, 32))+`"}`), "", keyset.LoadOptions{})
		}, keyset.ErrMalformed},
		{"encrypted PEM", func() (*keyset.Key, error) {
			return keyset.ParsePEM(readFile(t, "ec-encrypted.pem"), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrMalformed},
		{"two keys in one PEM", func() (*keyset.Key, error) {
			return keyset.ParsePEM(append(pkcs8PEM(t, es256.JWK().Key), pkcs8PEM(t, es256.JWK().Key)...), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrMalformed},
		{"no PEM at all", func() (*keyset.Key, error) {
			return keyset.ParsePEM([]byte("hello"), keyset.ES256, keyset.LoadOptions{})
		}, keyset.ErrMalformed},
		{"public key where ParseX509 needs a private one", func() (*keyset.Key, error) {
			p := newPKI(t, t0.Add(-time.Hour), t0.Add(time.Hour))
			leaf := p.leaf(t, es256.Public().Key, t0.Add(-time.Hour), t0.Add(time.Hour))
			return keyset.ParseX509(certPEM(leaf), publicPEM(t, es256.Public().Key), keyset.ES256, keyset.LoadOptions{Now: func() time.Time { return t0 }})
		}, keyset.ErrKeyMismatch},
		{"certificate for another key", func() (*keyset.Key, error) {
			p := newPKI(t, t0.Add(-time.Hour), t0.Add(time.Hour))
			leaf := p.leaf(t, &other.PublicKey, t0.Add(-time.Hour), t0.Add(time.Hour))
			return keyset.ParseX509(certPEM(leaf), pkcs8PEM(t, es256.JWK().Key), keyset.ES256, keyset.LoadOptions{Now: func() time.Time { return t0 }})
		}, keyset.ErrKeyMismatch},
		{"JWKS mixing private and public keys", func() (*keyset.Key, error) {
			doc := `{"keys":[` + string(jwkWith(t, es256.JWK(), nil)) + `,` + string(jwkWith(t, rs.Public(), nil)) + `]}`
			_, err := keyset.ParseJWKS([]byte(doc), "", keyset.LoadOptions{})
			return nil, err
		}, keyset.ErrKeyMismatch},
		{"JWKS with a duplicate kid", func() (*keyset.Key, error) {
			doc := `{"keys":[` + string(jwkWith(t, es256.Public(), map[string]any{"kid": "x"})) + `,` + string(jwkWith(t, ed.Public(), map[string]any{"kid": "x"})) + `]}`
			_, err := keyset.ParseJWKS([]byte(doc), "", keyset.LoadOptions{})
			return nil, err
		}, keyset.ErrDuplicateKeyID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := c.load()
			if !errors.Is(err, c.want) {
				t.Fatalf("got key %v, err %v; want %v", k, err, c.want)
			}
			t.Log(err)
		})
	}
}

func TestOpenSSLKeysLoad(t *testing.T) {
	cases := []struct{ file, alg string }{
		{"ec-p256-openssl.pem", keyset.ES256},            // EC PARAMETERS + SEC1
		{"ec-p256-openssl.pem", keyset.ECDHESA256KW},     // the same key for key agreement
		{"ed25519-openssl.pem", keyset.EdDSA},            // PKCS#8 Ed25519
		{"rsa2048-pkcs1-openssl.pem", keyset.PS256},      // PKCS#1
		{"rsa2048-pkcs1-openssl.pem", keyset.RSAOAEP256}, // the same for encryption
		{"openssl-ec-key.pem", keyset.ES256},             // PKCS#8 EC
	}
	for _, c := range cases {
		t.Run(c.file+"/"+c.alg, func(t *testing.T) {
			k, err := keyset.ParsePEM(readFile(t, c.file), c.alg, keyset.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, c.alg, k.JWK(), k.Public())
		})
	}
}

func TestOpenSSLCertificateAndKeyLoadWithinValidity(t *testing.T) {
	certs := readFile(t, "openssl-ec-cert.pem")
	b, _ := pem.Decode(certs)
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	at := func(tm time.Time) keyset.LoadOptions { return keyset.LoadOptions{Now: func() time.Time { return tm }} }
	k, err := keyset.ParseX509(certs, readFile(t, "openssl-ec-key.pem"), keyset.ES256, at(cert.NotBefore.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	assertX5C(t, k.Public(), []*x509.Certificate{cert})
	if _, err := keyset.ParseX509(certs, readFile(t, "openssl-ec-key.pem"), keyset.ES256, at(cert.NotBefore.Add(-time.Second))); !errors.Is(err, keyset.ErrCertificate) {
		t.Fatalf("before NotBefore: %v", err)
	}
}

func TestCertificateValidityWindow(t *testing.T) {
	k := genKey(t, keyset.ES256)
	p := newPKI(t, t0.Add(-48*time.Hour), t0.Add(48*time.Hour))
	leaf := p.leaf(t, k.Public().Key, t0.Add(-time.Hour), t0.Add(time.Hour))
	chain := certPEM(leaf, p.caCert)
	key := pkcs8PEM(t, k.JWK().Key)
	cases := []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"inside", t0, true},
		{"at NotBefore", leaf.NotBefore, true},
		{"at NotAfter", leaf.NotAfter, true},
		{"one second before NotBefore", leaf.NotBefore.Add(-time.Second), false},
		{"one second after NotAfter", leaf.NotAfter.Add(time.Second), false},
		{"years later", t0.AddDate(3, 0, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := keyset.LoadOptions{Now: func() time.Time { return c.now }}
			for _, load := range []func() (*keyset.Key, error){
				func() (*keyset.Key, error) { return keyset.ParseX509(chain, key, keyset.ES256, opts) },
				func() (*keyset.Key, error) { return keyset.ParsePEM(chain, keyset.ES256, opts) },
				func() (*keyset.Key, error) {
					return keyset.ParseJWK(jwkWith(t, &jose.JSONWebKey{Key: k.Public().Key, Certificates: []*x509.Certificate{leaf, p.caCert}}, nil), keyset.ES256, opts)
				},
			} {
				_, err := load()
				if c.ok && err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !c.ok && !errors.Is(err, keyset.ErrCertificate) {
					t.Fatalf("got %v, want ErrCertificate", err)
				}
			}
		})
	}
}

func TestCertificateChainMustLink(t *testing.T) {
	k := genKey(t, keyset.ES256)
	p := newPKI(t, t0.Add(-48*time.Hour), t0.Add(48*time.Hour))
	stranger := newPKI(t, t0.Add(-48*time.Hour), t0.Add(48*time.Hour))
	leaf := p.leaf(t, k.Public().Key, t0.Add(-time.Hour), t0.Add(time.Hour))
	_, err := keyset.ParseX509(certPEM(leaf, stranger.caCert), pkcs8PEM(t, k.JWK().Key), keyset.ES256, keyset.LoadOptions{Now: func() time.Time { return t0 }})
	if !errors.Is(err, keyset.ErrCertificate) {
		t.Fatalf("got %v, want ErrCertificate", err)
	}
	// An expired issuer fails the chain too.
	old := newPKI(t, t0.Add(-48*time.Hour), t0.Add(-24*time.Hour))
	leaf = old.leaf(t, k.Public().Key, t0.Add(-time.Hour), t0.Add(time.Hour))
	_, err = keyset.ParseX509(certPEM(leaf, old.caCert), pkcs8PEM(t, k.JWK().Key), keyset.ES256, keyset.LoadOptions{Now: func() time.Time { return t0 }})
	if !errors.Is(err, keyset.ErrCertificate) {
		t.Fatalf("expired issuer: got %v, want ErrCertificate", err)
	}
}

func TestRSAWithHugeModulusIsRefused(t *testing.T) {
	// A public key only: generating an 8192-bit private key takes too long for a test.
	n := new(big.Int).Lsh(big.NewInt(1), 8191)
	n.Add(n, big.NewInt(1))
	pub := &rsa.PublicKey{N: n, E: 65537}
	if _, err := keyset.ParsePEM(publicPEM(t, pub), keyset.RS256, keyset.LoadOptions{}); !errors.Is(err, keyset.ErrKeyMismatch) {
		t.Fatalf("got %v", err)
	}
}

func TestROCADetectorFlagsOnlyFingerprintedModuli(t *testing.T) {
	// The Wycheproof ROCA key (json_web_key_test.json, tcId 7) is fingerprinted.
	n, _ := base64.RawURLEncoding.DecodeString("AanFpofbj7KjD4Lf-N2hVMKR7yewSyXhhbirIMTGpfYEhZ_lnt5UoK98DnKIgArXGTu3MaW_HhFw16HGaTDUHqPrId7fe4r11CqRw09yBFuW79V8sYIwHdzCaWflUI6auImYbVfoN9_nD5n8N8SY9DwXw7mwZM9wREPXoDPgOoIWl6q_MPsp7n0zs3Z5ZaiQWOOzl1S9OhwAfSiiOwz6efnXEaxuTEtPd7BjSx7NaFka8Dx9U7YqXy2RFj1O9PjyaDGuRh7YXsX3iMUSP_wSyHQg_c_qHRtKUsNSGCT7OZg0hzm2KphtjnayKJvC64vAbROBR4Ubg6Bxg9IQVZ-QYyE")
	if !keyset.RocaFingerprint(new(big.Int).SetBytes(n)) {
		t.Fatal("ROCA key not detected")
	}
	for _, alg := range []string{keyset.RS256, keyset.PS256, keyset.RSAOAEP256} {
		if keyset.RocaFingerprint(genKey(t, alg).JWK().Key.(*rsa.PrivateKey).N) {
			t.Fatalf("%s: a fresh key flagged", alg)
		}
	}
}

func TestAddRefusesPublicOnlyKeys(t *testing.T) {
	ctx := context.Background()
	s, err := keyset.New(ctx, newKeyStore(t), "x", testKEK(1), keyset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := keyset.ParseJWK(jwkWith(t, genKey(t, keyset.ES256).Public(), nil), "", keyset.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(ctx, pub, provider.KeyActive); !errors.Is(err, keyset.ErrKeyMismatch) {
		t.Fatalf("got %v", err)
	}
}

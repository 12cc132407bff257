package keyset_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func TestGenerateEveryAlgorithmMakesAWorkingKeyWithThumbprintKID(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			k := genKey(t, alg)
			use, _ := keyset.UseOf(alg)
			if k.Algorithm() != alg || k.Use() != use || !k.Private() {
				t.Fatalf("alg %q use %q private %v", k.Algorithm(), k.Use(), k.Private())
			}
			if keyset.Symmetric(alg) {
				if k.Public() != nil {
					t.Fatal("symmetric key has a public JWK")
				}
				roundTrip(t, alg, k.JWK(), k.JWK())
				return
			}
			tp, err := k.Public().Thumbprint(crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			if want := base64.RawURLEncoding.EncodeToString(tp); k.ID() != want {
				t.Fatalf("kid %q, want RFC 7638 thumbprint %q", k.ID(), want)
			}
			if !k.Public().IsPublic() {
				t.Fatal("Public() holds private material")
			}
			roundTrip(t, alg, k.JWK(), k.Public())
		})
	}
}

func TestGenerateRSASizes(t *testing.T) {
	if testing.Short() {
		t.Skip("RSA 3072/4096 generation is slow")
	}
	for _, bits := range []int{3072, 4096} {
		k, err := keyset.Generate(keyset.PS256, keyset.WithRSABits(bits))
		if err != nil {
			t.Fatal(err)
		}
		if got := k.JWK().Key.(*rsa.PrivateKey).N.BitLen(); got != bits {
			t.Fatalf("%d-bit key has %d bits", bits, got)
		}
	}
	for _, bits := range []int{1024, 2047, 8192} {
		if _, err := keyset.Generate(keyset.RS256, keyset.WithRSABits(bits)); err == nil {
			t.Fatalf("Generate with %d bits succeeded", bits)
		}
	}
}

func TestGenerateWithKeyIDAndUnknownAlgorithm(t *testing.T) {
	k, err := keyset.Generate(keyset.ES256, keyset.WithKeyID("my-kid"))
	if err != nil || k.ID() != "my-kid" || k.JWK().KeyID != "my-kid" || k.Public().KeyID != "my-kid" {
		t.Fatalf("kid %v %v", k, err)
	}
	for _, alg := range []string{"none", "HS512", "ES512", "RSA1_5", "A128GCM", "", "es256"} {
		if _, err := keyset.Generate(alg); !errors.Is(err, keyset.ErrUnsupportedAlgorithm) {
			t.Errorf("Generate(%q) = %v, want ErrUnsupportedAlgorithm", alg, err)
		}
	}
}

// encodings returns every form a key for alg can be loaded from, each with the loader call
// and whether the loaded key keeps the private material.
type encoding struct {
	name    string
	load    func() (*keyset.Key, error)
	private bool
	certs   int
}

func encodings(t *testing.T, k *keyset.Key, p *pki) []encoding {
	alg := k.Algorithm()
	priv := k.JWK().Key
	opts := keyset.LoadOptions{Now: func() time.Time { return t0 }}
	var out []encoding
	add := func(name string, private bool, certs int, load func() (*keyset.Key, error)) {
		out = append(out, encoding{name, load, private, certs})
	}
	privJWK, err := json.Marshal(k.JWK())
	if err != nil {
		t.Fatal(err)
	}
	add("JWK", true, 0, func() (*keyset.Key, error) { return keyset.ParseJWK(privJWK, "", opts) })
	add("JWKS", true, 0, func() (*keyset.Key, error) {
		keys, err := keyset.ParseJWKS([]byte(`{"keys":[`+string(privJWK)+`]}`), alg, opts)
		if err != nil || len(keys) != 1 {
			return nil, errors.Join(err, errors.New("want one key"))
		}
		return keys[0], nil
	})
	if keyset.Symmetric(alg) {
		return out
	}
	pub := k.Public().Key
	pubJWK, _ := json.Marshal(k.Public())
	add("public JWK", false, 0, func() (*keyset.Key, error) { return keyset.ParseJWK(pubJWK, "", opts) })
	add("public JWKS", false, 0, func() (*keyset.Key, error) {
		keys, err := keyset.ParseJWKS([]byte(`{"keys":[`+string(pubJWK)+`]}`), "", opts)
		if err != nil || len(keys) != 1 {
			return nil, errors.Join(err, errors.New("want one key"))
		}
		return keys[0], nil
	})
	add("PKCS#8", true, 0, func() (*keyset.Key, error) { return keyset.ParsePEM(pkcs8PEM(t, priv), alg, opts) })
	add("PUBLIC KEY", false, 0, func() (*keyset.Key, error) { return keyset.ParsePEM(publicPEM(t, pub), alg, opts) })
	switch m := priv.(type) {
	case *rsa.PrivateKey:
		p1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(m)})
		add("PKCS#1", true, 0, func() (*keyset.Key, error) { return keyset.ParsePEM(p1, alg, opts) })
		p1pub := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&m.PublicKey)})
		add("RSA PUBLIC KEY", false, 0, func() (*keyset.Key, error) { return keyset.ParsePEM(p1pub, alg, opts) })
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(m)
		if err != nil {
			t.Fatal(err)
		}
		sec1 := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
		add("SEC1", true, 0, func() (*keyset.Key, error) { return keyset.ParsePEM(sec1, alg, opts) })
	}
	leaf := p.leaf(t, pub, t0.Add(-time.Hour), t0.Add(time.Hour))
	chain := certPEM(leaf, p.caCert)
	add("X.509 chain + key", true, 2, func() (*keyset.Key, error) {
		return keyset.ParseX509(chain, pkcs8PEM(t, priv), alg, opts)
	})
	add("PEM bundle key + chain", true, 2, func() (*keyset.Key, error) {
		return keyset.ParsePEM(append(pkcs8PEM(t, priv), chain...), alg, opts)
	})
	add("certificate only", false, 2, func() (*keyset.Key, error) { return keyset.ParsePEM(chain, alg, opts) })
	return out
}

func TestLoadRoundTripsEveryFormatAndAlgorithm(t *testing.T) {
	p := newPKI(t, t0.Add(-24*time.Hour), t0.Add(24*time.Hour))
	for _, alg := range allAlgs {
		orig := genKey(t, alg)
		for _, e := range encodings(t, orig, p) {
			t.Run(alg+"/"+e.name, func(t *testing.T) {
				k, err := e.load()
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				if k.ID() != orig.ID() || k.Algorithm() != alg || k.Use() != orig.Use() {
					t.Fatalf("kid %q alg %q use %q, want %q %q %q", k.ID(), k.Algorithm(), k.Use(), orig.ID(), alg, orig.Use())
				}
				if k.Private() != e.private {
					t.Fatalf("Private() = %v, want %v", k.Private(), e.private)
				}
				if len(k.Certificates()) != e.certs {
					t.Fatalf("%d certificates, want %d", len(k.Certificates()), e.certs)
				}
				switch {
				case keyset.Symmetric(alg):
					roundTrip(t, alg, orig.JWK(), k.JWK())
				case e.private:
					roundTrip(t, alg, k.JWK(), orig.Public())
					roundTrip(t, alg, orig.JWK(), k.Public())
				default:
					roundTrip(t, alg, orig.JWK(), k.JWK())
				}
				if e.certs > 0 {
					assertX5C(t, k.Public(), k.Certificates())
				}
			})
		}
	}
}

// assertX5C checks that the published JWK carries the chain as x5c and the leaf's SHA-256
// thumbprint as x5t#S256, and that an independent reading of the JSON agrees.
func assertX5C(t *testing.T, pub *jose.JSONWebKey, certs []*x509.Certificate) {
	t.Helper()
	b, err := json.Marshal(pub)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		X5c  []string `json:"x5c"`
		X5t  string   `json:"x5t#S256"`
		D    string   `json:"d"`
		Kid  string   `json:"kid"`
		Use  string   `json:"use"`
		Alg  string   `json:"alg"`
		Kty  string   `json:"kty"`
		Rest map[string]any
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.X5c) != len(certs) {
		t.Fatalf("x5c has %d certificates, want %d", len(raw.X5c), len(certs))
	}
	for i, c := range certs {
		if raw.X5c[i] != base64.StdEncoding.EncodeToString(c.Raw) {
			t.Fatalf("x5c[%d] is not certificate %d", i, i)
		}
	}
	sum := sha256.Sum256(certs[0].Raw)
	if raw.X5t != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Fatalf("x5t#S256 = %q", raw.X5t)
	}
	if raw.D != "" || raw.Kid == "" || raw.Use == "" || raw.Alg == "" {
		t.Fatalf("public JWK %s", b)
	}
}

func TestLoadJWKTakesItsKidAndLoadOptionsOverride(t *testing.T) {
	k := genKey(t, keyset.ES256)
	b, _ := json.Marshal(k.JWK())
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["kid"] = "from-jwk"
	b, _ = json.Marshal(m)
	got, err := keyset.ParseJWK(b, "", keyset.LoadOptions{})
	if err != nil || got.ID() != "from-jwk" {
		t.Fatalf("kid %v, %v", got, err)
	}
	got, err = keyset.ParseJWK(b, keyset.ES256, keyset.LoadOptions{KeyID: "override"})
	if err != nil || got.ID() != "override" {
		t.Fatalf("kid %v, %v", got, err)
	}
}

func TestLoadJWKWithoutAlgNeedsOne(t *testing.T) {
	k := genKey(t, keyset.ES256)
	b, _ := json.Marshal(jose.JSONWebKey{Key: k.JWK().Key})
	if _, err := keyset.ParseJWK(b, "", keyset.LoadOptions{}); !errors.Is(err, keyset.ErrUnsupportedAlgorithm) {
		t.Fatalf("no alg anywhere: %v", err)
	}
	got, err := keyset.ParseJWK(b, keyset.ES256, keyset.LoadOptions{})
	if err != nil || got.ID() != k.ID() {
		t.Fatalf("alg given: %v", err)
	}
}

func TestParseJWKSSkipUnsupportedSkipsOnlyUnsupported(t *testing.T) {
	es := genKey(t, keyset.ES256)
	pub, _ := json.Marshal(es.Public())
	doc := `{"keys":[` + string(pub) + `,{"kty":"OKP","crv":"X25519","x":"` + strings.Repeat("A", 43) + `","alg":"ECDH-ES"},{"kty":"EC","alg":"ES512","crv":"P-521","x":"AA","y":"AA"}]}`
	if _, err := keyset.ParseJWKS([]byte(doc), "", keyset.LoadOptions{}); !errors.Is(err, keyset.ErrUnsupportedAlgorithm) {
		t.Fatalf("strict: %v", err)
	}
	keys, err := keyset.ParseJWKS([]byte(doc), "", keyset.LoadOptions{SkipUnsupported: true})
	if err != nil || len(keys) != 1 || keys[0].ID() != es.ID() {
		t.Fatalf("lenient: %v %v", keys, err)
	}
}

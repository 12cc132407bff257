package keyset_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// t0 is the fixed start of every test clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is an injectable clock that tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func testKEK(b byte) []byte {
	k := make([]byte, keyset.KEKSize)
	for i := range k {
		k[i] = b
	}
	return k
}

var allAlgs = []string{
	keyset.ES256, keyset.ES384, keyset.EdDSA, keyset.RS256, keyset.PS256,
	keyset.RSAOAEP256, keyset.ECDHESA256KW, keyset.A256GCM, keyset.HS256,
}

var asymmetricAlgs = []string{
	keyset.ES256, keyset.ES384, keyset.EdDSA, keyset.RS256, keyset.PS256,
	keyset.RSAOAEP256, keyset.ECDHESA256KW,
}

// keyCache generates each algorithm's key once per test binary: RSA generation is slow.
var keyCache = struct {
	sync.Mutex
	m map[string]*keyset.Key
}{m: map[string]*keyset.Key{}}

func genKey(t testing.TB, alg string) *keyset.Key {
	t.Helper()
	keyCache.Lock()
	defer keyCache.Unlock()
	if k, ok := keyCache.m[alg]; ok {
		return k
	}
	k, err := keyset.Generate(alg)
	if err != nil {
		t.Fatalf("Generate(%s): %v", alg, err)
	}
	keyCache.m[alg] = k
	return k
}

// roundTrip proves that priv and pub work together for their algorithm: a JWS signed with
// priv verifies with pub, a JWE encrypted to pub decrypts with priv (pub is priv for
// symmetric keys).
func roundTrip(t testing.TB, alg string, priv, pub *jose.JSONWebKey) {
	t.Helper()
	payload := []byte("payload for " + alg)
	switch alg {
	case keyset.ES256, keyset.ES384, keyset.EdDSA, keyset.RS256, keyset.PS256, keyset.HS256:
		sa := jose.SignatureAlgorithm(alg)
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: sa, Key: priv}, nil)
		if err != nil {
			t.Fatalf("%s: NewSigner: %v", alg, err)
		}
		jws, err := signer.Sign(payload)
		if err != nil {
			t.Fatalf("%s: Sign: %v", alg, err)
		}
		compact, _ := jws.CompactSerialize()
		parsed, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{sa})
		if err != nil {
			t.Fatalf("%s: parse: %v", alg, err)
		}
		// go-jose puts the kid of asymmetric JWKs in the header (not of HMAC ones).
		if alg != keyset.HS256 && parsed.Signatures[0].Header.KeyID != priv.KeyID {
			t.Fatalf("%s: kid %q in header, want %q", alg, parsed.Signatures[0].Header.KeyID, priv.KeyID)
		}
		got, err := parsed.Verify(pub)
		if err != nil || string(got) != string(payload) {
			t.Fatalf("%s: Verify: %v", alg, err)
		}
	default:
		ka := jose.KeyAlgorithm(alg)
		if alg == keyset.A256GCM {
			ka = jose.DIRECT
		}
		enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: ka, Key: pub}, nil)
		if err != nil {
			t.Fatalf("%s: NewEncrypter: %v", alg, err)
		}
		jwe, err := enc.Encrypt(payload)
		if err != nil {
			t.Fatalf("%s: Encrypt: %v", alg, err)
		}
		compact, _ := jwe.CompactSerialize()
		parsed, err := jose.ParseEncryptedCompact(compact, []jose.KeyAlgorithm{ka}, []jose.ContentEncryption{jose.A256GCM})
		if err != nil {
			t.Fatalf("%s: parse: %v", alg, err)
		}
		got, err := parsed.Decrypt(priv)
		if err != nil || string(got) != string(payload) {
			t.Fatalf("%s: Decrypt: %v", alg, err)
		}
	}
}

// pki issues certificates for tests: a CA and leaves it signs.
type pki struct {
	caKey  *ecdsa.PrivateKey
	caCert *x509.Certificate
}

func newPKI(t testing.TB, notBefore, notAfter time.Time) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test CA"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &pki{caKey: key, caCert: cert}
}

// leaf issues a certificate for pub valid from notBefore to notAfter.
func (p *pki) leaf(t testing.TB, pub crypto.PublicKey, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "signer"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, pub, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

func certPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

func pkcs8PEM(t testing.TB, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func publicPEM(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

package local_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

const (
	issuer   = "https://as.example.com"
	audience = "https://api.example.com"
)

// epoch is the fake "now" of the tests.
var epoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// clock is an injectable clock that tests move by hand.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(epoch.UnixNano())
	return c
}
func (c *clock) Now() time.Time         { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration)    { c.ns.Add(int64(d)) }
func (c *clock) Set(t time.Time)        { c.ns.Store(t.UnixNano()) }
func (c *clock) Func() func() time.Time { return c.Now }

// signer is a test issuer key with its kid.
type signer struct {
	kid  string
	alg  string
	priv crypto.Signer
}

func (s *signer) public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: s.priv.Public(), KeyID: s.kid, Algorithm: s.alg, Use: "sig"}
}

var (
	keysOnce                 sync.Once
	rsaKey, rsaKey2          *rsa.PrivateKey
	ecKey, ecKey2, ecKey384  *ecdsa.PrivateKey
	edKey                    ed25519.PrivateKey
	rsaSigner, ecSigner      *signer
	edSigner, ec384Signer    *signer
	psSigner, unlistedSigner *signer
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		must := func(e error) {
			if e != nil {
				panic(e)
			}
		}
		rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		rsaKey2, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		ecKey2, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		ecKey384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		must(err)
		_, edKey, err = ed25519.GenerateKey(rand.Reader)
		must(err)
		rsaSigner = &signer{kid: "rsa-1", alg: "RS256", priv: rsaKey}
		psSigner = &signer{kid: "rsa-ps", alg: "PS256", priv: rsaKey2}
		ecSigner = &signer{kid: "ec-1", alg: "ES256", priv: ecKey}
		ec384Signer = &signer{kid: "ec-384", alg: "ES384", priv: ecKey384}
		edSigner = &signer{kid: "ed-1", alg: "EdDSA", priv: edKey}
		unlistedSigner = &signer{kid: "ec-1", alg: "ES256", priv: ecKey2} // same kid, untrusted key
	})
}

// jwks returns the public JWKS JSON of signers.
func jwks(t testing.TB, signers ...*signer) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, s := range signers {
		set.Keys = append(set.Keys, s.public())
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goodClaims returns an RFC 9068 claim set valid at epoch.
func goodClaims() map[string]any {
	return map[string]any{
		"iss":       issuer,
		"sub":       "alice",
		"aud":       audience,
		"client_id": "client-1",
		"scope":     "read write",
		"jti":       "jti-1",
		"iat":       epoch.Add(-time.Minute).Unix(),
		"exp":       epoch.Add(10 * time.Minute).Unix(),
	}
}

func goodHeader(s *signer) map[string]any {
	return map[string]any{"alg": s.alg, "kid": s.kid, "typ": "at+jwt"}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func b64JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b64(b)
}

// mint signs header.claims by hand with s's key under header["alg"], so that tests can craft
// any header they like.
func mint(t testing.TB, s *signer, header, claims map[string]any) string {
	t.Helper()
	input := b64JSON(t, header) + "." + b64JSON(t, claims)
	alg, _ := header["alg"].(string)
	return input + "." + b64(rawSign(t, s.priv, alg, input))
}

func rawSign(t testing.TB, priv crypto.Signer, alg, input string) []byte {
	t.Helper()
	var sig []byte
	var err error
	switch alg {
	case "ES256", "ES384":
		k := priv.(*ecdsa.PrivateKey)
		var h []byte
		size := 32
		if alg == "ES256" {
			d := sha256.Sum256([]byte(input))
			h = d[:]
		} else {
			d := sha512.Sum384([]byte(input))
			h, size = d[:], 48
		}
		r, s, e := ecdsa.Sign(rand.Reader, k, h)
		if e != nil {
			t.Fatal(e)
		}
		sig = make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
	case "RS256":
		d := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, priv.(*rsa.PrivateKey), crypto.SHA256, d[:])
	case "RS512":
		d := sha512.Sum512([]byte(input))
		sig, err = rsa.SignPKCS1v15(rand.Reader, priv.(*rsa.PrivateKey), crypto.SHA512, d[:])
	case "PS256":
		d := sha256.Sum256([]byte(input))
		sig, err = rsa.SignPSS(rand.Reader, priv.(*rsa.PrivateKey), crypto.SHA256, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "EdDSA":
		sig = ed25519.Sign(priv.(ed25519.PrivateKey), []byte(input))
	default:
		t.Fatalf("rawSign: unsupported alg %q", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// joseSign signs claims with go-jose, an independent implementation of the same format.
func joseSign(t testing.TB, s *signer, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", s.kid)
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(s.alg), Key: s.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := sg.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func with(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

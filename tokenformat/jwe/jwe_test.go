package jwe_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jwe"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

const issuer = "https://as.example"

var keyCache = map[string]*jose.JSONWebKey{}

func key(t testing.TB, use, alg string) *jose.JSONWebKey {
	t.Helper()
	if k, ok := keyCache[use+alg]; ok {
		return k
	}
	k, err := formattest.NewKey(use, alg)
	if err != nil {
		t.Fatal(err)
	}
	keyCache[use+alg] = k
	return k
}

// public returns the public half of a private JWK, as a recipient's JWKS publishes it.
func public(k *jose.JSONWebKey) *jose.JSONWebKey {
	p := k.Public()
	return &p
}

func newInner(t testing.TB, signAlg string, now func() time.Time) *jws.Format {
	t.Helper()
	f, err := jws.New(issuer, formattest.NewKeys(key(t, "sig", signAlg)), jws.Options{Algorithm: jose.SignatureAlgorithm(signAlg), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func newFormat(t testing.TB, signAlg string, recipient *jose.JSONWebKey, now func() time.Time) *jwe.Format {
	t.Helper()
	f, err := jwe.New(newInner(t, signAlg, now), jwe.Options{
		Recipient:  func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return public(recipient), nil },
		Decryption: formattest.NewKeys(recipient),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestJWEPassesConformance(t *testing.T) {
	formattest.Run(t, func(t *testing.T, now func() time.Time) tokenformat.Format {
		return newFormat(t, "ES256", key(t, "enc", "ECDH-ES+A256KW"), now)
	})
}

func TestRoundTripWithEveryKeyAndSigningAlgorithm(t *testing.T) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	for _, encAlg := range []string{"RSA-OAEP-256", "ECDH-ES+A256KW"} {
		for _, signAlg := range []string{"ES256", "ES384", "EdDSA", "RS256", "PS256"} {
			t.Run(encAlg+"/"+signAlg, func(t *testing.T) {
				rk := key(t, "enc", encAlg)
				f := newFormat(t, signAlg, rk, nil)
				rec := formattest.RichRecord(now)
				tok, err := f.Issue(ctx, rec)
				if err != nil {
					t.Fatal(err)
				}
				h := header(t, tok.Value)
				if h["alg"] != encAlg || h["enc"] != "A256GCM" || h["cty"] != "JWT" || h["typ"] != "at+jwt" || h["kid"] != rk.KeyID {
					t.Errorf("header = %v", h)
				}
				got, err := f.Parse(ctx, tok.Value)
				if err != nil {
					t.Fatal(err)
				}
				if got.Key != tok.Key || got.Record.ClientID != rec.ClientID || got.Record.Subject != rec.Subject ||
					!got.Record.ExpiresAt.Equal(rec.ExpiresAt) || got.Value != tok.Value {
					t.Errorf("round trip: %+v", got.Record)
				}
			})
		}
	}
}

func header(t *testing.T, token string) map[string]any {
	t.Helper()
	js, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRecipientIsChosenByAudience(t *testing.T) {
	ctx := context.Background()
	a, b := key(t, "enc", "ECDH-ES+A256KW"), key(t, "enc", "RSA-OAEP-256")
	f, err := jwe.New(newInner(t, "ES256", nil), jwe.Options{
		Recipient:  jwe.RecipientByAudience(map[string]*jose.JSONWebKey{"https://a": public(a), "https://b": public(b)}),
		Decryption: formattest.NewKeys(b),
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &provider.Record{ClientID: "c", GrantedAudience: []string{"https://b"}, ExpiresAt: time.Now().Add(time.Hour)}
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if header(t, tok.Value)["kid"] != b.KeyID {
		t.Errorf("encrypted to %v, want %s", header(t, tok.Value)["kid"], b.KeyID)
	}
	if _, err := f.Parse(ctx, tok.Value); err != nil {
		t.Error(err)
	}
	rec.GrantedAudience = []string{"https://a"}
	tok, err = f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(ctx, tok.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("a token for another resource server = %v, want ErrInvalidToken", err)
	}
	rec.GrantedAudience = []string{"https://c"}
	if _, err := f.Issue(ctx, rec); err == nil {
		t.Error("Issue for an audience without a key succeeded")
	}
}

func TestParseRefusesDisallowedHeaders(t *testing.T) {
	ctx := context.Background()
	rk := key(t, "enc", "ECDH-ES+A256KW")
	f := newFormat(t, "ES256", rk, nil)
	inner, err := newInner(t, "ES256", nil).Issue(ctx, formattest.RichRecord(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	encrypt := func(alg jose.KeyAlgorithm, enc jose.ContentEncryption, key any, opts *jose.EncrypterOptions) string {
		t.Helper()
		e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: key, KeyID: rk.KeyID}, opts)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := e.Encrypt([]byte(inner.Value))
		if err != nil {
			t.Fatal(err)
		}
		s, err := obj.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pub := public(rk).Key
	std := func() *jose.EncrypterOptions {
		return (&jose.EncrypterOptions{}).WithContentType("JWT").WithType("at+jwt")
	}
	if _, err := f.Parse(ctx, encrypt(jose.ECDH_ES_A256KW, jose.A256GCM, pub, std())); err != nil {
		t.Fatalf("well-formed token refused: %v", err)
	}
	if _, err := f.Parse(ctx, encrypt(jose.ECDH_ES_A256KW, jose.A256GCM, pub, (&jose.EncrypterOptions{}).WithContentType("JWT"))); err != nil {
		t.Errorf("token without outer typ refused: %v", err)
	}
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"enc A128CBC-HS256", encrypt(jose.ECDH_ES_A256KW, jose.A128CBC_HS256, pub, std())},
		{"alg ECDH-ES direct", encrypt(jose.ECDH_ES, jose.A256GCM, pub, std())},
		{"alg dir", encrypt(jose.DIRECT, jose.A256GCM, make([]byte, 32), std())},
		{"no cty", encrypt(jose.ECDH_ES_A256KW, jose.A256GCM, pub, (&jose.EncrypterOptions{}).WithType("at+jwt"))},
		{"typ JWT", encrypt(jose.ECDH_ES_A256KW, jose.A256GCM, pub, (&jose.EncrypterOptions{}).WithContentType("JWT").WithType("JWT"))},
		{"zip", encrypt(jose.ECDH_ES_A256KW, jose.A256GCM, pub, (&jose.EncrypterOptions{Compression: jose.DEFLATE}).WithContentType("JWT").WithType("at+jwt"))},
		{"jku", encrypt(jose.ECDH_ES_A256KW, jose.A256GCM, pub, std().WithHeader("jku", "https://evil"))},
		{"a plain JWS", inner.Value},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.Parse(ctx, tc.token); !errors.Is(err, tokenformat.ErrInvalidToken) {
				t.Errorf("Parse = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestIssuerWithoutDecryptionKeysRefusesToParse(t *testing.T) {
	rk := key(t, "enc", "RSA-OAEP-256")
	f, err := jwe.New(newInner(t, "ES256", nil), jwe.Options{
		Recipient: func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return public(rk), nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.Issue(context.Background(), formattest.RichRecord(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(context.Background(), tok.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("Parse = %v, want ErrInvalidToken", err)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	inner := newInner(t, "ES256", nil)
	rcpt := func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return nil, nil }
	for _, tc := range []struct {
		name  string
		inner *jws.Format
		opts  jwe.Options
		want  string
	}{
		{"no inner", nil, jwe.Options{Recipient: rcpt}, "inner"},
		{"no recipient", inner, jwe.Options{}, "Recipient"},
		{"RSA1_5", inner, jwe.Options{Recipient: rcpt, KeyAlgorithms: []jose.KeyAlgorithm{jose.RSA1_5}}, "KeyAlgorithms"},
		{"bad persistence", inner, jwe.Options{Recipient: rcpt, Persistence: 9}, "Persistence"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := jwe.New(tc.inner, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestRecipientKeyOfTheWrongKindIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  *jose.JSONWebKey
	}{
		{"signing key", &jose.JSONWebKey{Key: public(key(t, "enc", "RSA-OAEP-256")).Key, KeyID: "k", Use: "sig"}},
		{"alg RSA1_5", &jose.JSONWebKey{Key: public(key(t, "enc", "RSA-OAEP-256")).Key, KeyID: "k", Algorithm: "RSA1_5"}},
		{"symmetric", &jose.JSONWebKey{Key: make([]byte, 32), KeyID: "k"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := jwe.New(newInner(t, "ES256", nil), jwe.Options{
				Recipient: func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return tc.key, nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Issue(context.Background(), formattest.RichRecord(time.Now())); err == nil {
				t.Error("Issue succeeded")
			}
		})
	}
}

func TestRecipientIsChosenByClient(t *testing.T) {
	ctx := context.Background()
	a, b := key(t, "enc", "ECDH-ES+A256KW"), key(t, "enc", "RSA-OAEP-256")
	f, err := jwe.New(newInner(t, "ES256", nil), jwe.Options{
		Recipient:  jwe.RecipientByClient(map[string]*jose.JSONWebKey{"client-a": public(a), "client-b": public(b)}),
		Decryption: formattest.NewKeys(a, b),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ client, kid string }{{"client-a", a.KeyID}, {"client-b", b.KeyID}} {
		tok, err := f.Issue(ctx, &provider.Record{ClientID: tc.client, GrantedAudience: []string{"rs"}, ExpiresAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if header(t, tok.Value)["kid"] != tc.kid {
			t.Errorf("%s: encrypted to %v, want %s", tc.client, header(t, tok.Value)["kid"], tc.kid)
		}
		if _, err := f.Parse(ctx, tok.Value); err != nil {
			t.Errorf("%s: %v", tc.client, err)
		}
	}
	if _, err := f.Issue(ctx, &provider.Record{ClientID: "client-c", GrantedAudience: []string{"rs"}, ExpiresAt: time.Now().Add(time.Hour)}); err == nil {
		t.Error("Issue for a client without a key succeeded")
	}
}

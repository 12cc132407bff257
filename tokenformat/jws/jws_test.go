package jws_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

const issuer = "https://as.example"

var algorithms = []string{"ES256", "ES384", "EdDSA", "RS256", "PS256"}

// keyCache shares generated keys between tests: RSA generation is slow.
var keyCache = map[string]*jose.JSONWebKey{}

func key(t testing.TB, alg string) *jose.JSONWebKey {
	t.Helper()
	if k, ok := keyCache[alg]; ok {
		return k
	}
	k, err := formattest.NewKey("sig", alg)
	if err != nil {
		t.Fatal(err)
	}
	keyCache[alg] = k
	return k
}

func newFormat(t testing.TB, keys tokenformat.KeySource, opts jws.Options) *jws.Format {
	t.Helper()
	f, err := jws.New(issuer, keys, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestJWSPassesConformanceWithEveryAlgorithm(t *testing.T) {
	for _, alg := range algorithms {
		t.Run(alg, func(t *testing.T) {
			k := key(t, alg)
			formattest.Run(t, func(t *testing.T, now func() time.Time) tokenformat.Format {
				return newFormat(t, formattest.NewKeys(k), jws.Options{Algorithm: jose.SignatureAlgorithm(alg), Now: now})
			})
		})
	}
}

func TestRoundTripWithEveryAlgorithmAndPersistence(t *testing.T) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	for _, alg := range algorithms {
		for _, p := range []tokenformat.Persistence{tokenformat.StoreRecord, tokenformat.StoreNothing, tokenformat.StoreTokenOnly} {
			t.Run(alg+"/"+p.String(), func(t *testing.T) {
				f := newFormat(t, formattest.NewKeys(key(t, alg)), jws.Options{Algorithm: jose.SignatureAlgorithm(alg), Persistence: p})
				if f.Persistence() != p {
					t.Errorf("Persistence = %v, want %v", f.Persistence(), p)
				}
				rec := formattest.RichRecord(now)
				tok, err := f.Issue(ctx, rec)
				if err != nil {
					t.Fatal(err)
				}
				got, err := f.Parse(ctx, tok.Value)
				if err != nil {
					t.Fatal(err)
				}
				r := got.Record
				if r.Key != tok.Key || r.ClientID != rec.ClientID || r.Subject != rec.Subject ||
					!slices.Equal(r.GrantedScopes, rec.GrantedScopes) || !slices.Equal(r.GrantedAudience, rec.GrantedAudience) ||
					!r.ExpiresAt.Equal(rec.ExpiresAt) || !r.IssuedAt.Equal(rec.IssuedAt) || !r.AuthTime.Equal(rec.AuthTime) {
					t.Errorf("round trip: got %+v", r)
				}
			})
		}
	}
}

func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	js, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func headerOf(t *testing.T, token string) map[string]any {
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

func TestIssuedTokenHasRFC9068HeaderAndClaims(t *testing.T) {
	k := key(t, "ES256")
	f := newFormat(t, formattest.NewKeys(k), jws.Options{})
	now := time.Unix(1900000000, 0)
	rec := &provider.Record{ClientID: "c1", Subject: "alice", GrantedScopes: []string{"read", "write"},
		GrantedAudience: []string{"https://rs"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour), AuthTime: now.Add(-time.Minute),
		Claims: json.RawMessage(`{"acr":"2"}`)}
	tok, err := f.Issue(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	h := headerOf(t, tok.Value)
	if h["alg"] != "ES256" || h["kid"] != k.KeyID || h["typ"] != "at+jwt" || h[jws.MarkerHeader] != "record" || len(h) != 4 {
		t.Errorf("header = %v", h)
	}
	c := claimsOf(t, tok.Value)
	want := map[string]any{"iss": issuer, "sub": "alice", "aud": "https://rs", "client_id": "c1", "scope": "read write",
		"jti": tok.Key, "iat": 1900000000.0, "exp": 1900003600.0, "auth_time": 1899999940.0, "acr": "2"}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("claim %s = %v, want %v", k, c[k], v)
		}
	}
	if len(c) != len(want) {
		t.Errorf("claims = %v, want exactly %v", c, want)
	}
}

func TestClientCredentialsTokenHasClientAsSubjectAndArrayAudience(t *testing.T) {
	f := newFormat(t, formattest.NewKeys(key(t, "ES256")), jws.Options{})
	tok, err := f.Issue(context.Background(), &provider.Record{ClientID: "svc", GrantedAudience: []string{"a", "b"},
		ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c := claimsOf(t, tok.Value)
	if c["sub"] != "svc" {
		t.Errorf("sub = %v, want the client id (RFC 9068 §2.2)", c["sub"])
	}
	if aud, ok := c["aud"].([]any); !ok || len(aud) != 2 {
		t.Errorf("aud = %v, want an array of two", c["aud"])
	}
	if _, ok := c["scope"]; ok {
		t.Error("scope present though no scope was granted")
	}
}

func TestDefaultAudienceAppliesAndNoAudienceFails(t *testing.T) {
	ctx := context.Background()
	rec := &provider.Record{ClientID: "c", ExpiresAt: time.Now().Add(time.Hour)}
	f := newFormat(t, formattest.NewKeys(key(t, "ES256")), jws.Options{})
	if _, err := f.Issue(ctx, rec); err == nil || !strings.Contains(err.Error(), "aud") {
		t.Errorf("Issue without audience = %v, want an error about aud", err)
	}
	f = newFormat(t, formattest.NewKeys(key(t, "ES256")), jws.Options{DefaultAudience: []string{"https://rs"}})
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, tok.Value); c["aud"] != "https://rs" {
		t.Errorf("aud = %v", c["aud"])
	}
}

func TestClaimsHookAddsClaimsButCannotOverrideRegisteredOnes(t *testing.T) {
	ctx := context.Background()
	rec := &provider.Record{ClientID: "c", GrantedAudience: []string{"rs"}, ExpiresAt: time.Now().Add(time.Hour)}
	hook := func(claims map[string]any) jws.Options {
		return jws.Options{Claims: func(context.Context, *provider.Record) (map[string]any, error) { return claims, nil }}
	}
	f := newFormat(t, formattest.NewKeys(key(t, "ES256")), hook(map[string]any{"tenant": "t1", "n": 3}))
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, tok.Value); c["tenant"] != "t1" || c["n"] != 3.0 {
		t.Errorf("claims = %v", c)
	}
	got, err := f.Parse(ctx, tok.Value)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Record.Claims) != `{"n":3,"tenant":"t1"}` {
		t.Errorf("Record.Claims = %s", got.Record.Claims)
	}
	for _, name := range []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "scope", "auth_time"} {
		f := newFormat(t, formattest.NewKeys(key(t, "ES256")), hook(map[string]any{name: "evil"}))
		if _, err := f.Issue(ctx, rec); err == nil {
			t.Errorf("hook overriding %s: Issue succeeded", name)
		}
		r := rec.Clone()
		r.Claims = json.RawMessage(`{"` + name + `":"evil"}`)
		if _, err := newFormat(t, formattest.NewKeys(key(t, "ES256")), jws.Options{}).Issue(ctx, r); err == nil {
			t.Errorf("Record.Claims overriding %s: Issue succeeded", name)
		}
	}
}

func TestNewValidatesOptions(t *testing.T) {
	keys := formattest.NewKeys(key(t, "ES256"))
	for _, tc := range []struct {
		name   string
		issuer string
		keys   tokenformat.KeySource
		opts   jws.Options
		want   string
	}{
		{"no issuer", "", keys, jws.Options{}, "issuer"},
		{"no keys", issuer, nil, jws.Options{}, "keys"},
		{"HS256", issuer, keys, jws.Options{Algorithm: jose.HS256}, "Algorithm"},
		{"none allowed", issuer, keys, jws.Options{Algorithms: []jose.SignatureAlgorithm{"none", jose.ES256}}, "Algorithms"},
		{"algorithm not allowed", issuer, keys, jws.Options{Algorithm: jose.ES256, Algorithms: []jose.SignatureAlgorithm{jose.RS256}}, "Algorithms"},
		{"negative leeway", issuer, keys, jws.Options{Leeway: -time.Second}, "Leeway"},
		{"huge leeway", issuer, keys, jws.Options{Leeway: time.Hour}, "Leeway"},
		{"bad persistence", issuer, keys, jws.Options{Persistence: 7}, "Persistence"},
		{"empty default audience", issuer, keys, jws.Options{DefaultAudience: []string{""}}, "DefaultAudience"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := jws.New(tc.issuer, tc.keys, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

// forge signs header and claims (JSON) with an ECDSA key, as an attacker who holds the key
// (or a test) would, bypassing the format's own Issue.
func forge(t *testing.T, priv *ecdsa.PrivateKey, header, claims string) string {
	t.Helper()
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	var h []byte
	var size int
	switch priv.Curve.Params().BitSize {
	case 256:
		d := sha256.Sum256([]byte(input))
		h, size = d[:], 32
	default:
		d := crypto.SHA384.New()
		d.Write([]byte(input))
		h, size = d.Sum(nil), 48
	}
	r, s, err := ecdsa.Sign(rand.Reader, priv, h)
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 2*size)
	r.FillBytes(sig[:size])
	s.FillBytes(sig[size:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestParseRefusesWhatRFC9068AndOurPolicyForbid(t *testing.T) {
	ctx := context.Background()
	k := key(t, "ES256")
	priv := k.Key.(*ecdsa.PrivateKey)
	now := time.Unix(1900000000, 0)
	f := newFormat(t, formattest.NewKeys(k), jws.Options{Now: func() time.Time { return now }, Leeway: 30 * time.Second})
	hdr := func(extra string) string {
		return `{"alg":"ES256","kid":"` + k.KeyID + `","typ":"at+jwt"` + extra + `}`
	}
	good := `{"iss":"` + issuer + `","sub":"s","aud":"rs","client_id":"c","jti":"j1","iat":1900000000,"exp":1900003600`
	claims := func(extra string) string { return good + extra + `}` }
	without := func(name string) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(good+"}"), &m)
		delete(m, name)
		js, _ := json.Marshal(m)
		return string(js)
	}
	if _, err := f.Parse(ctx, forge(t, priv, hdr(""), claims(""))); err != nil {
		t.Fatalf("the well-formed forged token is refused: %v", err)
	}
	if _, err := f.Parse(ctx, forge(t, priv, `{"alg":"ES256","kid":"`+k.KeyID+`","typ":"application/at+jwt"}`, claims(""))); err != nil {
		t.Errorf("typ application/at+jwt is refused: %v", err)
	}
	other, _ := formattest.NewKey("sig", "ES256")
	for _, tc := range []struct{ name, token string }{
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"`+k.KeyID+`","typ":"at+jwt"}`)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims(""))) + "."},
		{"alg ES384 with an ES256 key", forge(t, priv, `{"alg":"ES384","kid":"`+k.KeyID+`","typ":"at+jwt"}`, claims(""))},
		{"alg HS256", forge(t, priv, `{"alg":"HS256","kid":"`+k.KeyID+`","typ":"at+jwt"}`, claims(""))},
		{"no kid", forge(t, priv, `{"alg":"ES256","typ":"at+jwt"}`, claims(""))},
		{"unknown kid", forge(t, priv, `{"alg":"ES256","kid":"nope","typ":"at+jwt"}`, claims(""))},
		{"signed by another key", forge(t, other.Key.(*ecdsa.PrivateKey), hdr(""), claims(""))},
		{"typ JWT", forge(t, priv, `{"alg":"ES256","kid":"`+k.KeyID+`","typ":"JWT"}`, claims(""))},
		{"no typ", forge(t, priv, `{"alg":"ES256","kid":"`+k.KeyID+`"}`, claims(""))},
		{"jku", forge(t, priv, hdr(`,"jku":"https://evil/jwks"`), claims(""))},
		{"x5u", forge(t, priv, hdr(`,"x5u":"https://evil/cert"`), claims(""))},
		{"embedded jwk", forge(t, priv, hdr(`,"jwk":{"kty":"EC"}`), claims(""))},
		{"x5c", forge(t, priv, hdr(`,"x5c":["AAAA"]`), claims(""))},
		{"crit", forge(t, priv, hdr(`,"crit":["exp"]`), claims(""))},
		{"duplicate alg", forge(t, priv, `{"alg":"ES256","alg":"none","kid":"`+k.KeyID+`","typ":"at+jwt"}`, claims(""))},
		{"other issuer", forge(t, priv, hdr(""), strings.Replace(claims(""), issuer, issuer+"/", 1))},
		{"duplicate sub", forge(t, priv, hdr(""), claims(`,"sub":"admin"`))},
		{"not yet valid", forge(t, priv, hdr(""), claims(`,"nbf":1900000100`))},
		{"aud a number", forge(t, priv, hdr(""), strings.Replace(claims(""), `"aud":"rs"`, `"aud":5`, 1))},
		{"exp a string", forge(t, priv, hdr(""), strings.Replace(claims(""), `"exp":1900003600`, `"exp":"1900003600"`, 1))},
		{"claims an array", forge(t, priv, hdr(""), `[1,2]`)},
		{"claims not JSON", forge(t, priv, hdr(""), `{"iss":`)},
		{"no iss", forge(t, priv, hdr(""), without("iss"))},
		{"no sub", forge(t, priv, hdr(""), without("sub"))},
		{"no aud", forge(t, priv, hdr(""), without("aud"))},
		{"no client_id", forge(t, priv, hdr(""), without("client_id"))},
		{"no jti", forge(t, priv, hdr(""), without("jti"))},
		{"no iat", forge(t, priv, hdr(""), without("iat"))},
		{"no exp", forge(t, priv, hdr(""), without("exp"))},
		{"padded signature", forge(t, priv, hdr(""), claims("")) + "="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.Parse(ctx, tc.token)
			if !errors.Is(err, tokenformat.ErrInvalidToken) {
				t.Errorf("Parse = %v, want ErrInvalidToken", err)
			}
		})
	}
	t.Run("expired beyond leeway", func(t *testing.T) {
		_, err := f.Parse(ctx, forge(t, priv, hdr(""), strings.Replace(claims(""), "1900003600", "1899999960", 1)))
		if !errors.Is(err, tokenformat.ErrExpired) {
			t.Errorf("Parse = %v, want ErrExpired", err)
		}
	})
	t.Run("expired within leeway", func(t *testing.T) {
		if _, err := f.Parse(ctx, forge(t, priv, hdr(""), strings.Replace(claims(""), "1900003600", "1899999980", 1))); err != nil {
			t.Errorf("Parse = %v, want success within the leeway", err)
		}
	})
}

func TestKeyWhoseAlgDiffersFromTheHeaderIsRefused(t *testing.T) {
	ctx := context.Background()
	k := key(t, "RS256")
	f := newFormat(t, formattest.NewKeys(k), jws.Options{Algorithm: jose.RS256, Algorithms: []jose.SignatureAlgorithm{jose.RS256, jose.PS256}})
	tok, err := f.Issue(ctx, formattest.RichRecord(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// A PS256 signature by the same RSA key: the key's JWK alg is RS256, so it is refused.
	ps := newFormat(t, formattest.NewKeys(&jose.JSONWebKey{Key: k.Key, KeyID: k.KeyID, Use: "sig", Algorithm: "PS256"}), jws.Options{Algorithm: jose.PS256})
	pstok, err := ps.Issue(ctx, formattest.RichRecord(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(ctx, tok.Value); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Parse(ctx, pstok.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("PS256 token under an RS256 key = %v, want ErrInvalidToken", err)
	}
}

func TestRotationKeepsRetiredKeysAndDropsEvictedOnes(t *testing.T) {
	ctx := context.Background()
	old, err := formattest.NewKey("sig", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	keys := formattest.NewKeys(old)
	f := newFormat(t, keys, jws.Options{})
	before, err := f.Issue(ctx, formattest.RichRecord(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	next, _ := formattest.NewKey("sig", "ES256")
	keys.Add(next)
	after, err := f.Issue(ctx, formattest.RichRecord(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if headerOf(t, after.Value)["kid"] != next.KeyID {
		t.Fatal("the token after rotation is not signed by the new key")
	}
	if _, err := f.Parse(ctx, before.Value); err != nil {
		t.Errorf("token of the retired key: %v", err)
	}
	keys.Evict(old.KeyID)
	if _, err := f.Parse(ctx, before.Value); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("token of the evicted key = %v, want ErrInvalidToken", err)
	}
	if _, err := f.Parse(ctx, after.Value); err != nil {
		t.Errorf("token of the active key: %v", err)
	}
}

func TestECDSASignatureIsRawFixedWidth(t *testing.T) {
	// RFC 7518 §3.4: r||s, each the curve's size, never ASN.1. Checked over many signatures
	// so that short r or s (leading zero bytes) occur.
	for _, alg := range []string{"ES256", "ES384"} {
		k := key(t, alg)
		f := newFormat(t, formattest.NewKeys(k), jws.Options{Algorithm: jose.SignatureAlgorithm(alg)})
		size := 64
		if alg == "ES384" {
			size = 96
		}
		pub := &k.Key.(*ecdsa.PrivateKey).PublicKey
		n := 300
		if alg == "ES384" {
			n = 30 // P-384 is slow under -race; the edge cases are in TestECDSAConversionEdgeCases
		}
		for i := 0; i < n; i++ {
			tok, err := f.Issue(context.Background(), &provider.Record{ClientID: "c", GrantedAudience: []string{"a"}, ExpiresAt: time.Now().Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok.Value, ".")
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			if len(sig) != size {
				t.Fatalf("%s signature is %d bytes, want %d", alg, len(sig), size)
			}
			r, s := new(big.Int).SetBytes(sig[:size/2]), new(big.Int).SetBytes(sig[size/2:])
			var d []byte
			if alg == "ES256" {
				h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
				d = h[:]
			} else {
				h := crypto.SHA384.New()
				h.Write([]byte(parts[0] + "." + parts[1]))
				d = h.Sum(nil)
			}
			if !ecdsa.Verify(pub, d, r, s) {
				t.Fatalf("%s signature %d does not verify as r||s", alg, i)
			}
		}
	}
}

func TestIssueFailsWhenTheClaimsHookFailsOrTheKeyIsUnfit(t *testing.T) {
	ctx := context.Background()
	rec := &provider.Record{ClientID: "c", GrantedAudience: []string{"rs"}, ExpiresAt: time.Now().Add(time.Hour)}
	f := newFormat(t, formattest.NewKeys(key(t, "ES256")), jws.Options{Claims: func(context.Context, *provider.Record) (map[string]any, error) {
		return nil, errors.New("tenant service down")
	}})
	if _, err := f.Issue(ctx, rec); err == nil || !strings.Contains(err.Error(), "tenant service down") {
		t.Errorf("Issue with a failing hook = %v", err)
	}
	ec := key(t, "ES256")
	es384, _ := formattest.NewKey("sig", "ES384")
	for _, tc := range []struct {
		name string
		key  *jose.JSONWebKey
	}{
		{"P-384 key for ES256", &jose.JSONWebKey{Key: es384.Key, KeyID: "k", Algorithm: "ES256", Use: "sig"}},
		{"JWK alg ES384", &jose.JSONWebKey{Key: ec.Key, KeyID: "k", Algorithm: "ES384", Use: "sig"}},
		{"use enc", &jose.JSONWebKey{Key: ec.Key, KeyID: "k", Algorithm: "ES256", Use: "enc"}},
		{"public key only", &jose.JSONWebKey{Key: &ec.Key.(*ecdsa.PrivateKey).PublicKey, KeyID: "k", Algorithm: "ES256", Use: "sig"}},
		{"symmetric key", &jose.JSONWebKey{Key: make([]byte, 32), KeyID: "k", Algorithm: "ES256", Use: "sig"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFormat(t, formattest.NewKeys(tc.key), jws.Options{})
			if _, err := f.Issue(ctx, rec); err == nil {
				t.Error("Issue succeeded")
			}
		})
	}
}

// TestNonCanonicalBase64IsRefused: a segment has exactly one encoding. go-jose decodes with
// the lenient base64.RawURLEncoding and accepts a signature whose last character differs only
// in unused bits (Wycheproof "ModifiedUnusedBits…"); we decode strictly and refuse it.
func TestNonCanonicalBase64IsRefused(t *testing.T) {
	ctx := context.Background()
	k := key(t, "ES256")
	f := newFormat(t, formattest.NewKeys(k), jws.Options{})
	tok, err := f.Issue(ctx, formattest.RichRecord(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// A 64-byte signature is 86 characters; the last carries 2 bits and 4 unused zero bits.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tok.Value[len(tok.Value)-1])
	altered := tok.Value[:len(tok.Value)-1] + string(alphabet[last|1])
	if altered == tok.Value {
		t.Fatal("no unused bit to set")
	}
	obj, err := jose.ParseSignedCompact(altered, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("go-jose parse: %v", err)
	}
	if _, err := obj.Verify(&k.Key.(*ecdsa.PrivateKey).PublicKey); err != nil {
		t.Logf("go-jose also refuses it now: %v", err)
	}
	if _, err := f.Parse(ctx, altered); !errors.Is(err, tokenformat.ErrInvalidToken) {
		t.Errorf("Parse = %v, want ErrInvalidToken", err)
	}
}

func TestVerifierAcceptsEveryAllowedAlgorithmAndNoOther(t *testing.T) {
	ctx := context.Background()
	es, rs, ed := key(t, "ES256"), key(t, "RS256"), key(t, "EdDSA")
	src := formattest.NewKeys(es, rs, ed)
	verifier := newFormat(t, src, jws.Options{Algorithm: jose.ES256, Algorithms: []jose.SignatureAlgorithm{jose.ES256, jose.RS256}})
	for _, tc := range []struct {
		alg  jose.SignatureAlgorithm
		want bool
	}{{jose.ES256, true}, {jose.RS256, true}, {jose.EdDSA, false}} {
		f := newFormat(t, src, jws.Options{Algorithm: tc.alg})
		tok, err := f.Issue(ctx, formattest.RichRecord(time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = verifier.Parse(ctx, tok.Value)
		if got := err == nil; got != tc.want {
			t.Errorf("%s token accepted=%v (%v), want %v", tc.alg, got, err, tc.want)
		}
	}
}

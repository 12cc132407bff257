package local_test

import (
	"context"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/local"
)

var allowed = []string{"RS256", "PS256", "ES256", "ES384", "EdDSA"}

// newValidator returns a validator trusting the test issuer's keys, with a fake clock.
func newValidator(t testing.TB, opts local.Options) (*local.Validator, *clock) {
	t.Helper()
	testKeys(t)
	keys, err := local.ParseJWKS(jwks(t, rsaSigner, psSigner, ecSigner, ec384Signer, edSigner))
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	o := opts
	o.Now = c.Func()
	v, err := local.New(issuer, audience, allowed, keys, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v, c
}

// serve sends token through the middleware in front of v and returns the response.
func serve(v validation.Validator, token string) *httptest.ResponseRecorder {
	h := validation.Middleware(v, validation.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := validation.FromContext(r.Context())
		if !ok {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"sub": c.Subject, "client_id": c.ClientID, "scope": c.Scope})
	}))
	req := httptest.NewRequest(http.MethodGet, "/hello", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCraftedBadTokensAreAnswered401InvalidToken(t *testing.T) {
	v, _ := newValidator(t, local.Options{})
	good := mint(t, ecSigner, goodHeader(ecSigner), goodClaims())
	parts := strings.Split(good, ".")
	sigBytes := mustB64(t, parts[2])

	rsaPubDER := x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)
	hsInput := b64JSON(t, map[string]any{"alg": "HS256", "kid": rsaSigner.kid, "typ": "at+jwt"}) + "." + b64JSON(t, goodClaims())
	mac := hmac.New(sha256.New, rsaPubDER)
	mac.Write([]byte(hsInput))
	hs256 := hsInput + "." + b64(mac.Sum(nil))

	claimsWithout := func(name string) map[string]any { return with(goodClaims(), name, nil) }
	ecWith := func(kv ...any) string { return mint(t, ecSigner, with(goodHeader(ecSigner), kv...), goodClaims()) }
	ecClaims := func(kv ...any) string { return mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), kv...)) }

	highS := make([]byte, 64)
	copy(highS, sigBytes[:32])
	for i := 32; i < 64; i++ {
		highS[i] = 0xff // s ≥ n: outside the group order
	}
	zeroR := append(make([]byte, 32), sigBytes[32:]...)
	nonCanonical := parts[2][:len(parts[2])-1] + string(flipLowBits(parts[2][len(parts[2])-1]))

	cases := []struct {
		name, token, why string
		expired          bool
	}{
		{"alg none without signature", b64JSON(t, map[string]any{"alg": "none", "typ": "at+jwt"}) + "." + b64JSON(t, goodClaims()) + ".", "not a compact JWS", false},
		{"alg none with a signature", b64JSON(t, map[string]any{"alg": "none", "kid": "ec-1", "typ": "at+jwt"}) + "." + parts[1] + "." + parts[2], "unsigned token", false},
		{"HS256 keyed with the RSA public key", hs256, "algorithm not allowed", false},
		{"forged signature on a trusted kid", mint(t, unlistedSigner, goodHeader(ecSigner), goodClaims()), "bad signature", false},
		{"jku header", ecWith("jku", "https://evil.example/jwks"), "the token names its own key (jku, jwk, x5u or x5c)", false},
		{"embedded jwk header", ecWith("jwk", unlistedSigner.public()), "the token names its own key (jku, jwk, x5u or x5c)", false},
		{"x5u header", ecWith("x5u", "https://evil.example/cert.pem"), "the token names its own key (jku, jwk, x5u or x5c)", false},
		{"x5c header", ecWith("x5c", []string{"MIIB"}), "the token names its own key (jku, jwk, x5u or x5c)", false},
		{"typ JWT", ecWith("typ", "JWT"), "typ is not at+jwt", false},
		{"typ missing", ecWith("typ", nil), "typ is not at+jwt", false},
		{"typ application/jwt", ecWith("typ", "application/jwt"), "typ is not at+jwt", false},
		{"unknown crit", ecWith("crit", []string{"exp"}, "exp", 1), "crit header parameter with extensions this validator does not understand", false},
		{"empty crit", ecWith("crit", []string{}), "crit header parameter with extensions this validator does not understand", false},
		{"b64 false", ecWith("b64", false, "crit", []string{"b64"}), "crit header parameter with extensions this validator does not understand", false},
		{"expired", ecClaims("exp", epoch.Add(-time.Second).Unix()), "token expired", true},
		{"expires exactly now", ecClaims("exp", epoch.Unix()), "token expired", true},
		{"future nbf", ecClaims("nbf", epoch.Add(time.Minute).Unix()), "not valid yet (nbf)", false},
		{"iat in the future", ecClaims("iat", epoch.Add(time.Minute).Unix()), "issued in the future (iat)", false},
		{"wrong iss", ecClaims("iss", "https://evil.example.com"), "iss is not the configured issuer", false},
		{"iss with a trailing slash", ecClaims("iss", issuer+"/"), "iss is not the configured issuer", false},
		{"wrong aud string", ecClaims("aud", "https://other.example.com"), "aud does not name this resource", false},
		{"wrong aud array", ecClaims("aud", []string{"a", "b"}), "aud does not name this resource", false},
		{"aud of the wrong type", ecClaims("aud", 42), "claims are not a JSON object of the right types", false},
		{"missing aud", ecClaims("aud", nil), "aud does not name this resource", false},
		{"missing exp", mint(t, ecSigner, goodHeader(ecSigner), claimsWithout("exp")), "no exp claim", false},
		{"missing iat", mint(t, ecSigner, goodHeader(ecSigner), claimsWithout("iat")), "no iat claim", false},
		{"missing sub", mint(t, ecSigner, goodHeader(ecSigner), claimsWithout("sub")), "no sub claim", false},
		{"missing client_id", mint(t, ecSigner, goodHeader(ecSigner), claimsWithout("client_id")), "no client_id claim", false},
		{"missing jti", mint(t, ecSigner, goodHeader(ecSigner), claimsWithout("jti")), "no jti claim", false},
		{"exp as a string", ecClaims("exp", "2030-01-01"), "claims are not a JSON object of the right types", false},
		{"negative exp", ecClaims("exp", -1), "claims are not a JSON object of the right types", false},
		{"claims changed after signing", parts[0] + "." + b64JSON(t, with(goodClaims(), "sub", "mallory")) + "." + parts[2], "bad signature", false},
		{"stripped signature", parts[0] + "." + parts[1] + ".", "not a compact JWS", false},
		{"garbage", "not-a-token-at-all", "not a compact JWS or JWE", false},
		{"oversized", strings.Repeat("a", local.DefaultMaxTokenSize+1), "token larger than the size cap", false},
		{"two segments", parts[0] + "." + parts[1], "not a compact JWS or JWE", false},
		{"four segments", good + ".AAAA", "not a compact JWS or JWE", false},
		{"five segments without decryption", good + ".AAAA.AAAA", "encrypted tokens are not accepted", false},
		{"bad base64 in header", "eyJ+/" + parts[0][5:] + "." + parts[1] + "." + parts[2], "header is not base64url", false},
		{"header not JSON", b64([]byte("not json")) + "." + parts[1] + "." + parts[2], "header is not a JSON object", false},
		{"header a JSON array", b64([]byte(`["alg"]`)) + "." + parts[1] + "." + parts[2], "header is not a JSON object", false},
		{"claims not JSON", mintRaw(t, ecSigner, goodHeader(ecSigner), "not json"), "claims are not a JSON object of the right types", false},
		{"claims null", mintRaw(t, ecSigner, goodHeader(ecSigner), "null"), "claims are not a JSON object of the right types", false},
		{"alg given twice", b64([]byte(`{"alg":"ES256","alg":"none","kid":"ec-1","typ":"at+jwt"}`)) + "." + parts[1] + "." + parts[2], "header is not a JSON object", false},
		{"alg under another case", b64([]byte(`{"ALG":"ES256","kid":"ec-1","typ":"at+jwt"}`)) + "." + parts[1] + "." + parts[2], "unsigned token", false},
		{"exp given twice", mintRaw(t, ecSigner, goodHeader(ecSigner), dupExp()), "claims are not a JSON object of the right types", false},
		{"unknown kid", ecWith("kid", "no-such-key"), "no trusted key with that kid", false},
		{"no kid in a set of several keys", ecWith("kid", nil), "no trusted key with that kid", false},
		{"ES256 header on an RSA key", mint(t, ecSigner, with(goodHeader(ecSigner), "kid", rsaSigner.kid), goodClaims()), "algorithm does not fit the key", false},
		{"RS256 header on an EC key", mint(t, rsaSigner, with(goodHeader(rsaSigner), "kid", ecSigner.kid), goodClaims()), "algorithm does not fit the key", false},
		{"ES384 header on a P-256 key", mint(t, ecSigner, with(goodHeader(ecSigner), "alg", "ES384"), goodClaims()), "algorithm does not fit the key", false},
		{"RS256 on a key whose JWK alg is PS256", mint(t, psSigner, with(goodHeader(psSigner), "alg", "RS256"), goodClaims()), "algorithm does not fit the key", false},
		{"algorithm outside the allow-list", mint(t, rsaSigner, with(goodHeader(rsaSigner), "alg", "RS512"), goodClaims()), "algorithm not allowed", false},
		{"ES256 with s above the group order", parts[0] + "." + parts[1] + "." + b64(highS), "bad signature", false},
		{"ES256 with r zero", parts[0] + "." + parts[1] + "." + b64(zeroR), "bad signature", false},
		{"ES256 with a short signature", parts[0] + "." + parts[1] + "." + b64(sigBytes[:63]), "bad signature", false},
		{"ES256 with a DER signature", parts[0] + "." + parts[1] + "." + b64(derOf(sigBytes)), "bad signature", false},
		{"signature in non-canonical base64", parts[0] + "." + parts[1] + "." + nonCanonical, "signature is not base64url", false},
	}
	if len(cases) < 25 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Validate(context.Background(), tc.token)
			if !errors.Is(err, validation.ErrInvalidToken) {
				t.Fatalf("Validate error = %v, want ErrInvalidToken", err)
			}
			if !strings.Contains(err.Error(), tc.why) {
				t.Errorf("Validate error = %v, want it to say %q", err, tc.why)
			}
			if got := errors.Is(err, validation.ErrExpired); got != tc.expired {
				t.Errorf("errors.Is(err, ErrExpired) = %v, want %v", got, tc.expired)
			}
			if len(tc.token) > 20 && strings.Contains(err.Error(), tc.token) {
				t.Errorf("error contains the token")
			}
			rec := serve(v, tc.token)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", rec.Code)
			}
			want := `Bearer realm="api", error="invalid_token", error_description="the access token is invalid"`
			if tc.expired {
				want = `Bearer realm="api", error="invalid_token", error_description="the access token expired"`
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != want {
				t.Errorf("WWW-Authenticate = %s, want %s", got, want)
			}
		})
	}
}

func TestValidTokensAreAccepted(t *testing.T) {
	v, _ := newValidator(t, local.Options{})
	cases := []struct{ name, token string }{
		{"RS256 by hand", mint(t, rsaSigner, goodHeader(rsaSigner), goodClaims())},
		{"RS256 by go-jose", joseSign(t, rsaSigner, goodClaims())},
		{"PS256 by hand", mint(t, psSigner, goodHeader(psSigner), goodClaims())},
		{"ES256 by hand", mint(t, ecSigner, goodHeader(ecSigner), goodClaims())},
		{"ES256 by go-jose", joseSign(t, ecSigner, goodClaims())},
		{"ES384 by go-jose", joseSign(t, ec384Signer, goodClaims())},
		{"EdDSA by hand", mint(t, edSigner, goodHeader(edSigner), goodClaims())},
		{"EdDSA by go-jose", joseSign(t, edSigner, goodClaims())},
		{"aud as an array", mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "aud", []string{"other", audience}))},
		{"typ application/at+jwt", mint(t, ecSigner, with(goodHeader(ecSigner), "typ", "application/at+jwt"), goodClaims())},
		{"typ in upper case", mint(t, ecSigner, with(goodHeader(ecSigner), "typ", "AT+JWT"), goodClaims())},
		{"nbf in the past", mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "nbf", epoch.Add(-time.Second).Unix()))},
		{"fractional dates", mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "iat", float64(epoch.Unix())-0.5, "exp", float64(epoch.Unix())+0.5))},
		{"extra claims", mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "acr", "mfa", "cnf", map[string]any{"x5t#S256": "abc"}))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := v.Validate(context.Background(), tc.token)
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if c.Subject != "alice" || c.ClientID != "client-1" || c.Issuer != issuer || c.JTI != "jti-1" ||
				!c.HasScope("read", "write") || !c.HasAudience(audience) || c.ExpiresAt.IsZero() || c.IssuedAt.IsZero() {
				t.Errorf("claims = %+v", c)
			}
			rec := serve(v, tc.token)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, body %s", rec.Code, rec.Body)
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["sub"] != "alice" || body["scope"] != "read write" {
				t.Errorf("body = %s (%v)", rec.Body, err)
			}
		})
	}
}

func TestExtraClaimsAreReadableFromRaw(t *testing.T) {
	v, _ := newValidator(t, local.Options{})
	c, err := v.Validate(context.Background(), mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "acr", "mfa")))
	if err != nil {
		t.Fatal(err)
	}
	var acr string
	if ok, err := c.Extra("acr", &acr); !ok || err != nil || acr != "mfa" {
		t.Errorf("Extra(acr) = %v, %v, %q", ok, err, acr)
	}
}

func TestLeewayAcceptsSlightlyExpiredTokensOnly(t *testing.T) {
	v, c := newValidator(t, local.Options{Leeway: 30 * time.Second})
	tok := mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "exp", epoch.Unix(), "nbf", epoch.Add(20*time.Second).Unix()))
	if _, err := v.Validate(context.Background(), tok); err != nil {
		t.Fatalf("within leeway: %v", err)
	}
	c.Add(30 * time.Second)
	if _, err := v.Validate(context.Background(), tok); !errors.Is(err, validation.ErrExpired) {
		t.Fatalf("past leeway: %v, want ErrExpired", err)
	}
}

func TestTokenWithoutKidVerifiesAgainstASingleKeySet(t *testing.T) {
	testKeys(t)
	keys, err := local.ParseJWKS(jwks(t, ecSigner))
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	v, err := local.New(issuer, audience, []string{"ES256"}, keys, local.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Validate(context.Background(), mint(t, ecSigner, with(goodHeader(ecSigner), "kid", nil), goodClaims())); err != nil {
		t.Fatal(err)
	}
}

func TestNewRefusesConfigurationThatWouldSwitchAChecksOff(t *testing.T) {
	testKeys(t)
	keys, err := local.ParseJWKS(jwks(t, ecSigner))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, iss, aud string
		algs           []string
		keys           tokenformat.KeyLookup
		opts           local.Options
		want           string
	}{
		{"no issuer", "", audience, []string{"ES256"}, keys, local.Options{}, "issuer"},
		{"no audience", issuer, "", []string{"ES256"}, keys, local.Options{}, "audience"},
		{"no algorithms", issuer, audience, nil, keys, local.Options{}, "algorithms"},
		{"no keys", issuer, audience, []string{"ES256"}, nil, local.Options{}, "keys"},
		{"alg none", issuer, audience, []string{"none"}, keys, local.Options{}, `"none"`},
		{"HS256", issuer, audience, []string{"HS256"}, keys, local.Options{}, `"HS256"`},
		{"negative leeway", issuer, audience, []string{"ES256"}, keys, local.Options{Leeway: -1}, "Leeway"},
		{"huge leeway", issuer, audience, []string{"ES256"}, keys, local.Options{Leeway: time.Hour}, "Leeway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := local.New(tc.iss, tc.aud, tc.algs, tc.keys, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New error = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

func TestVerifiedTokenCacheNeverServesATokenPastExp(t *testing.T) {
	v, c := newValidator(t, local.Options{CacheEntries: 100, CacheMaxTTL: time.Hour})
	tok := mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "exp", epoch.Add(time.Minute).Unix()))
	first, err := v.Validate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	local.WaitCache(v)
	second, err := v.Validate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("second validation was not served from the cache")
	}
	c.Add(time.Minute)
	if _, err := v.Validate(context.Background(), tok); !errors.Is(err, validation.ErrExpired) {
		t.Fatalf("after exp: %v, want ErrExpired", err)
	}
}

func mustB64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64RawURL.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dupExp is a good claim set with exp given twice, the second time in the past.
func dupExp() string {
	c := goodClaims()
	b, _ := json.Marshal(c)
	return strings.TrimSuffix(string(b), "}") + `,"exp":1}`
}

// mintRaw signs an arbitrary payload string.
func mintRaw(t testing.TB, s *signer, header map[string]any, payload string) string {
	t.Helper()
	input := b64JSON(t, header) + "." + b64([]byte(payload))
	return input + "." + b64(rawSign(t, s.priv, s.alg, input))
}

// flipLowBits changes the two low bits of a base64url character that encode no data at the
// end of an 86-character (64-byte) segment, leaving the decoded bytes the same.
func flipLowBits(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return alphabet[i^1]
}

// derOf re-encodes a raw r||s signature as ASN.1 DER, the form JWS forbids.
func derOf(sig []byte) []byte {
	enc := func(x []byte) []byte {
		for len(x) > 0 && x[0] == 0 {
			x = x[1:]
		}
		if x[0]&0x80 != 0 {
			x = append([]byte{0}, x...)
		}
		return append([]byte{2, byte(len(x))}, x...)
	}
	body := append(enc(sig[:32]), enc(sig[32:])...)
	return append([]byte{0x30, byte(len(body))}, body...)
}

// TestMalleatedECDSASignatureVerifiesLikeTheOriginal records a policy decision: (r, n−s) is
// as valid an ECDSA signature as (r, s), and RFC 7518 §3.4 does not ask for low-S, so it is
// accepted (standard signers, Go's and go-jose's included, emit high-S half the time; refusing
// it would refuse half of all valid ES256 tokens). It is harmless here: the claims are the
// signed ones, and nothing is keyed on the signature bytes (the verified-token cache keys on
// the whole token, so the twin is only a cache miss). s ≥ n and r or s of zero are refused.
func TestMalleatedECDSASignatureVerifiesLikeTheOriginal(t *testing.T) {
	v, _ := newValidator(t, local.Options{})
	tok := mint(t, ecSigner, goodHeader(ecSigner), goodClaims())
	i := strings.LastIndexByte(tok, '.')
	sig := mustB64(t, tok[i+1:])
	n := elliptic.P256().Params().N
	s := new(big.Int).SetBytes(sig[32:])
	twin := append([]byte(nil), sig[:32]...)
	twin = append(twin, new(big.Int).Sub(n, s).FillBytes(make([]byte, 32))...)
	a, err := v.Validate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Validate(context.Background(), tok[:i+1]+b64(twin))
	if err != nil {
		t.Fatalf("twin signature: %v", err)
	}
	if a.Subject != b.Subject || a.JTI != b.JTI || !a.ExpiresAt.Equal(b.ExpiresAt) {
		t.Errorf("twin claims differ: %+v vs %+v", a, b)
	}
}

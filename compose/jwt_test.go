package compose_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

// signingKey is a client's ES256 key pair and its public JWKS.
type signingKey struct {
	signer jose.Signer
	jwks   json.RawMessage
}

func newSigningKey(t *testing.T, kid string) signingKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"}}}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{signer: signer, jwks: b}
}

func (k signingKey) assertion(t *testing.T, iss, sub, aud, jti string) string {
	t.Helper()
	now := time.Now()
	s, err := jwt.Signed(k.signer).Claims(jwt.Claims{
		Issuer: iss, Subject: sub, Audience: jwt.Audience{aud}, ID: jti,
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPrivateKeyJWTClientAuthenticationRefusesReplayedAssertions(t *testing.T) {
	for _, format := range []string{compose.FormatOpaque, compose.FormatJWS} {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, nil)
			key := newSigningKey(t, "k1")
			c := defaultClient("pkj")
			c.TokenEndpointAuthMethod = provider.AuthPrivateKeyJWT
			c.JWKS = key.jwks
			c.Metadata = json.RawMessage(`{"token_endpoint_auth_signing_alg":"ES256"}`)
			s.addClient(t, c)
			aud := s.URL + compose.PathToken
			form := func(assertion string) url.Values {
				return url.Values{
					"grant_type":            {"client_credentials"},
					"client_id":             {"pkj"},
					"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
					"client_assertion":      {assertion},
				}
			}
			a := key.assertion(t, "pkj", "pkj", aud, "jti-1")
			resp, body := s.postForm(t, compose.PathToken, "", "", form(a))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("first use: %d %v", resp.StatusCode, body)
			}
			resp, body = s.postForm(t, compose.PathToken, "", "", form(a))
			if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Fatalf("replay: %d %v, want 401 invalid_client", resp.StatusCode, body)
			}
			other := newSigningKey(t, "k1")
			resp, body = s.postForm(t, compose.PathToken, "", "", form(other.assertion(t, "pkj", "pkj", aud, "jti-2")))
			if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Fatalf("foreign key: %d %v, want 401 invalid_client", resp.StatusCode, body)
			}
			resp, body = s.postForm(t, compose.PathToken, "", "", form(key.assertion(t, "pkj", "pkj", "https://elsewhere/token", "jti-3")))
			if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
				t.Fatalf("wrong audience: %d %v, want 401 invalid_client", resp.StatusCode, body)
			}
		})
	}
}

func TestDisabledClientAuthMethodIsRefused(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, func(c *compose.Config) {
		c.AuthMethods = []string{provider.AuthClientSecretBasic}
	})
	c := defaultClient("post")
	c.TokenEndpointAuthMethod = provider.AuthClientSecretPost
	secret := s.addClient(t, c)
	resp, body := s.postForm(t, compose.PathToken, "", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {secret},
	})
	if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("client_secret_post while disabled: %d %v", resp.StatusCode, body)
	}
}

func TestClientSecretPostAuthenticates(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	c := defaultClient("post")
	c.TokenEndpointAuthMethod = provider.AuthClientSecretPost
	secret := s.addClient(t, c)
	resp, body := s.postForm(t, compose.PathToken, "", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"post"}, "client_secret": {secret},
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("client_secret_post: %d %v", resp.StatusCode, body)
	}
	// A client registered for client_secret_post may not use basic.
	resp, body = s.postForm(t, compose.PathToken, "post", secret, url.Values{"grant_type": {"client_credentials"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("basic for a post client: %d %v", resp.StatusCode, body)
	}
}

func TestJWTBearerGrantIssuesTokensAndRefusesReplays(t *testing.T) {
	for _, format := range []string{compose.FormatEncrypted, compose.FormatJWSStateless} {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, nil)
			key := newSigningKey(t, "k1")
			c := defaultClient("issuer")
			c.GrantTypes = []string{compose.GrantJWTBearer}
			c.JWKS = key.jwks
			secret := s.addClient(t, c)
			aud := s.URL + compose.PathToken
			grant := func(assertion string) (*http.Response, map[string]any) {
				return s.postForm(t, compose.PathToken, "issuer", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "assertion": {assertion}, "scope": {"read"},
				})
			}
			a := key.assertion(t, "issuer", "issuer", aud, "a-1")
			resp, body := grant(a)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("grant: %d %v", resp.StatusCode, body)
			}
			got := s.introspect(t, "issuer", secret, body["access_token"].(string))
			if got["active"] != true || got["sub"] != "issuer" || got["scope"] != "read" {
				t.Fatalf("introspection = %v", got)
			}
			for name, assertion := range map[string]string{
				"replay":         a,
				"foreign key":    newSigningKey(t, "k1").assertion(t, "issuer", "issuer", aud, "a-2"),
				"other subject":  key.assertion(t, "issuer", "mallory", aud, "a-3"),
				"wrong audience": key.assertion(t, "issuer", "issuer", "https://elsewhere/token", "a-4"),
				"garbage":        "not.a.jwt",
			} {
				resp, body := grant(assertion)
				if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" {
					t.Errorf("%s: %d %v, want 400 invalid_grant", name, resp.StatusCode, body)
				}
			}
		})
	}
}

func TestClientKeysFromJWKSURIAuthenticateAndSignAssertions(t *testing.T) {
	// The key server is plain http on loopback, as in development: allowed only explicitly
	// (and only because the issuer is on loopback too).
	s := start(t, "memory://", compose.FormatJWS, func(c *compose.Config) {
		c.ClientJWKS.AllowLoopbackHTTP = true
		c.ClientJWKS.Timeout = 10 * time.Second // generous for a loaded CI machine
	})
	key := newSigningKey(t, "uri-key")
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(key.jwks)
	}))
	defer jwks.Close()
	c := defaultClient("remote")
	c.GrantTypes = []string{"client_credentials", compose.GrantJWTBearer}
	c.TokenEndpointAuthMethod = provider.AuthPrivateKeyJWT
	c.JWKSURI = jwks.URL
	c.Metadata = json.RawMessage(`{"token_endpoint_auth_signing_alg":"ES256"}`)
	s.addClient(t, c)
	aud := s.URL + compose.PathToken
	clientAuth := func(jti string) url.Values {
		return url.Values{
			"client_id":             {"remote"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {key.assertion(t, "remote", "remote", aud, jti)},
		}
	}
	form := clientAuth("c-1")
	form.Set("grant_type", "client_credentials")
	if resp, body := s.postForm(t, compose.PathToken, "", "", form); resp.StatusCode != http.StatusOK {
		t.Fatalf("private_key_jwt with jwks_uri: %d %v", resp.StatusCode, body)
	}
	form = clientAuth("c-2")
	form.Set("grant_type", compose.GrantJWTBearer)
	form.Set("assertion", key.assertion(t, "remote", "remote", aud, "g-1"))
	if resp, body := s.postForm(t, compose.PathToken, "", "", form); resp.StatusCode != http.StatusOK {
		t.Fatalf("jwt-bearer with jwks_uri keys: %d %v", resp.StatusCode, body)
	}
}

func TestJWTSignedByTheServerKeyButNotAnAccessTokenIntrospectsInactive(t *testing.T) {
	for _, format := range []string{compose.FormatJWS, compose.FormatJWSStateless, compose.FormatJWTOnly} {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, nil)
			secret := s.addClient(t, defaultClient("svc"))
			k, err := s.Keys().Active(context.Background(), "sig", "ES256")
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			claims := map[string]any{
				"iss": s.URL, "sub": "svc", "aud": "api", "client_id": "svc", "scope": "read",
				"jti": "forged", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			}
			for typ, wantActive := range map[string]bool{"JWT": false, "": false} {
				opts := &jose.SignerOptions{}
				if typ != "" {
					opts = opts.WithType(jose.ContentType(typ))
				}
				signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: *k}, opts)
				if err != nil {
					t.Fatal(err)
				}
				tok, err := jwt.Signed(signer).Claims(claims).Serialize()
				if err != nil {
					t.Fatal(err)
				}
				if got := s.introspect(t, "svc", secret, tok); got["active"] != wantActive {
					t.Errorf("an ID-token-like JWT (typ %q) signed by the server's key introspects %v", typ, got)
				}
			}
		})
	}
}

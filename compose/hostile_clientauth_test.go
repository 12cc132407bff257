package compose_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

func init() { hostileSuites["client-authentication"] = hostileClientAuth }

// assertionKey is a private_key_jwt client's key, able to sign assertions with any claims
// and header.
type assertionKey struct {
	priv *ecdsa.PrivateKey
	jwks json.RawMessage
}

func newAssertionKey(t *testing.T) assertionKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return assertionKey{priv: priv, jwks: b}
}

// sign signs claims as an ES256 compact JWS with kid k1 and the given typ ("" for none).
func (k assertionKey) sign(t *testing.T, typ string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("kid", "k1")
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// assertionClaims are valid claims for client id at server s, changed by mod. The audience
// is the token endpoint, which every version of oauthkit accepted, so that each refusal
// below is for the reason it names.
func assertionClaims(s *testServer, id string, mod func(map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": id, "sub": id, "aud": s.URL + compose.PathToken, "jti": randomName("jti"),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
	}
	if mod != nil {
		mod(c)
	}
	return c
}

// jwtClient registers a private_key_jwt client allowed client_credentials.
func jwtClient(t *testing.T, s *testServer, id string) assertionKey {
	t.Helper()
	key := newAssertionKey(t)
	c := defaultClient(id)
	c.TokenEndpointAuthMethod = provider.AuthPrivateKeyJWT
	c.JWKS = key.jwks
	s.addClient(t, c)
	return key
}

// assertionCase is a hostile case presenting a client assertion built from valid claims
// changed by mod, with typ.
func assertionCase(name, typ string, mod func(s *testServer, c map[string]any), status int, oauthErr string) hostileCase {
	return hostileCase{
		name: name,
		attack: func(t *testing.T, s *testServer) *http.Response {
			key := jwtClient(t, s, "rp")
			claims := assertionClaims(s, "rp", func(c map[string]any) {
				if mod != nil {
					mod(s, c)
				}
			})
			return s.send(t, compose.PathToken, "", "", url.Values{
				"grant_type":            {"client_credentials"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion":      {key.sign(t, typ, claims)},
			})
		},
		status: status, oauthErr: oauthErr,
	}
}

func hostileClientAuth() []hostileCase {
	ago := func(d time.Duration) int64 { return time.Now().Add(-d).Unix() }
	ahead := func(d time.Duration) int64 { return time.Now().Add(d).Unix() }
	unauthorized := http.StatusUnauthorized
	return []hostileCase{
		// private_key_jwt audience (rfc7523bis): the issuer identifier, or the token
		// endpoint, and nothing else.
		assertionCase("assertion with aud = issuer is accepted (rfc7523bis)", "", func(s *testServer, c map[string]any) {
			c["aud"] = s.URL
		}, http.StatusOK, ""),
		assertionCase("assertion with aud = token endpoint is accepted", "JWT", nil, http.StatusOK, ""),
		assertionCase("assertion typed client-authentication+jwt is accepted", "client-authentication+jwt", nil, http.StatusOK, ""),
		assertionCase("assertion with aud of another endpoint is refused", "", func(s *testServer, c map[string]any) {
			c["aud"] = s.URL + compose.PathIntrospect
		}, unauthorized, "invalid_client"),
		assertionCase("assertion with an extra audience is refused", "", func(s *testServer, c map[string]any) {
			c["aud"] = []string{s.URL + compose.PathToken, "https://rs.example.com"}
		}, unauthorized, "invalid_client"),
		assertionCase("assertion with aud = [issuer], an array of one, is accepted", "", func(s *testServer, c map[string]any) {
			c["aud"] = []string{s.URL}
		}, http.StatusOK, ""),
		assertionCase("assertion with both the issuer and the token endpoint as aud is refused (one value)", "", func(s *testServer, c map[string]any) {
			c["aud"] = []string{s.URL, s.URL + compose.PathToken}
		}, unauthorized, "invalid_client"),
		assertionCase("assertion with no aud is refused", "", func(_ *testServer, c map[string]any) {
			delete(c, "aud")
		}, unauthorized, "invalid_client"),
		// Item 7: expired and not-yet-valid assertions are the client's fault: 401.
		assertionCase("expired assertion is invalid_client, not a server error", "", func(_ *testServer, c map[string]any) {
			c["iat"], c["exp"] = ago(3*time.Minute), ago(2*time.Minute)
		}, unauthorized, "invalid_client"),
		assertionCase("not-yet-valid assertion (nbf) is invalid_client", "", func(_ *testServer, c map[string]any) {
			c["nbf"] = ahead(10 * time.Minute)
		}, unauthorized, "invalid_client"),
		assertionCase("assertion issued in the future (iat) is invalid_client", "", func(_ *testServer, c map[string]any) {
			c["iat"] = ahead(10 * time.Minute)
		}, unauthorized, "invalid_client"),
		// Lifetime cap: jti entries must not live for years.
		assertionCase("assertion issued longer ago than the max age is refused", "", func(_ *testServer, c map[string]any) {
			c["iat"], c["exp"] = ago(10*time.Minute), ahead(365*24*time.Hour)
		}, unauthorized, "invalid_client"),
		assertionCase("assertion without iat valid for a year is refused", "", func(_ *testServer, c map[string]any) {
			delete(c, "iat")
			c["exp"] = ahead(365 * 24 * time.Hour)
		}, unauthorized, "invalid_client"),
		assertionCase("assertion without exp is refused", "", func(_ *testServer, c map[string]any) {
			delete(c, "exp")
		}, unauthorized, "invalid_client"),
		assertionCase("assertion without jti is refused", "", func(_ *testServer, c map[string]any) {
			delete(c, "jti")
		}, unauthorized, "invalid_client"),
		assertionCase("assertion whose sub is not its iss is refused", "", func(_ *testServer, c map[string]any) {
			c["sub"] = "alice"
		}, unauthorized, "invalid_client"),
		assertionCase("assertion typed as an access token is refused", "at+jwt", nil, unauthorized, "invalid_client"),
		{
			name: "alg none assertion is refused",
			attack: func(t *testing.T, s *testServer) *http.Response {
				jwtClient(t, s, "rp")
				enc := base64.RawURLEncoding.EncodeToString
				claims, _ := json.Marshal(assertionClaims(s, "rp", nil))
				none := enc([]byte(`{"alg":"none"}`)) + "." + enc(claims) + "."
				return s.send(t, compose.PathToken, "", "", url.Values{
					"grant_type":            {"client_credentials"},
					"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
					"client_assertion":      {none},
				})
			},
			status: unauthorized, oauthErr: "invalid_client",
		},
		{
			name: "replayed assertion is refused",
			attack: func(t *testing.T, s *testServer) *http.Response {
				key := jwtClient(t, s, "rp")
				form := url.Values{
					"grant_type":            {"client_credentials"},
					"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
					"client_assertion":      {key.sign(t, "", assertionClaims(s, "rp", nil))},
				}
				if resp, body := s.postForm(t, compose.PathToken, "", "", form); resp.StatusCode != http.StatusOK {
					t.Fatalf("first use: %d %v", resp.StatusCode, body)
				}
				return s.send(t, compose.PathToken, "", "", form)
			},
			status: unauthorized, oauthErr: "invalid_client",
		},
		{
			name: "an assertion and a secret in one request are invalid_request",
			attack: func(t *testing.T, s *testServer) *http.Response {
				key := jwtClient(t, s, "rp")
				secret := s.addClient(t, defaultClient("svc"))
				return s.send(t, compose.PathToken, "svc", secret, url.Values{
					"grant_type":            {"client_credentials"},
					"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
					"client_assertion":      {key.sign(t, "", assertionClaims(s, "rp", nil))},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_request",
		},
		{
			// Client enumeration and bcrypt at will: wrong secrets for a person-chosen
			// (bcrypt) secret, and made-up client IDs, run bcrypt only within budget.
			name: "guessing bcrypt secrets and client IDs runs bcrypt only within budget",
			config: func(c *compose.Config) {
				c.SecretHashCost = 4
			},
			attack: func(t *testing.T, s *testServer) *http.Response {
				c := defaultClient("person")
				var err error
				if c.SecretHash, err = clientsecret.HashUserChosen("hunter2", 4); err != nil {
					t.Fatal(err)
				}
				c.TokenEndpointAuthMethod = provider.AuthClientSecretBasic
				if err := s.Store().CreateClient(t.Context(), &c); err != nil {
					t.Fatal(err)
				}
				cc := url.Values{"grant_type": {"client_credentials"}}
				if resp, body := s.postForm(t, compose.PathToken, "person", "hunter2", cc); resp.StatusCode != http.StatusOK {
					t.Fatalf("right secret: %d %v", resp.StatusCode, body)
				}
				before, began := s.SecretGuard().SlowChecks(), time.Now()
				for i := range 40 {
					if resp, _ := s.postForm(t, compose.PathToken, "person", "guess"+strings.Repeat("x", i), cc); resp.StatusCode != unauthorized {
						t.Fatalf("guess %d: status %d", i, resp.StatusCode)
					}
					if resp, _ := s.postForm(t, compose.PathToken, randomName("nobody"), "guess", cc); resp.StatusCode != unauthorized {
						t.Fatalf("unknown client %d: status %d", i, resp.StatusCode)
					}
				}
				// 5 for the guessed client, and for the made-up IDs the server-wide burst
				// of 8 plus what the budget refilled meanwhile (4/s), instead of 80.
				refilled := int64(4*time.Since(began).Seconds()) + 1
				if n, most := s.SecretGuard().SlowChecks()-before, 5+8+refilled; n > most {
					t.Fatalf("%d bcrypt checks for 80 guesses, want at most %d", n, most)
				}
				// The client that knows its secret still gets in: its success is remembered.
				return s.send(t, compose.PathToken, "person", "hunter2", cc)
			},
			status: http.StatusOK,
		},
	}
}

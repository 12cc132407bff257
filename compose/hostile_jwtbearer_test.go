package compose_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
)

func init() { hostileSuites["jwt-bearer"] = hostileJWTBearer }

// signedAssertion signs an RFC 7523 assertion with the given claims, for the hostile cases
// that need more than signingKey.assertion's single audience.
func (k signingKey) signedAssertion(t *testing.T, iss, sub string, aud []string, jti string, lifetime time.Duration) string {
	t.Helper()
	now := time.Now()
	s, err := jwt.Signed(k.signer).Claims(jwt.Claims{
		Issuer: iss, Subject: sub, Audience: jwt.Audience(aud), ID: jti,
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(lifetime)),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// jwtBearerClient registers, as the operator would, a confidential client allowed the
// jwt-bearer grant with its own signing key; metadata is stored as the client's own
// (inert) metadata.
func jwtBearerClient(t *testing.T, s *testServer, id string, metadata string) (signingKey, string) {
	t.Helper()
	key := newSigningKey(t, "k1")
	c := defaultClient(id)
	c.GrantTypes = []string{compose.GrantJWTBearer}
	c.JWKS = key.jwks
	if metadata != "" {
		c.Metadata = json.RawMessage(metadata)
	}
	return key, s.addClient(t, c)
}

func hostileJWTBearer() []hostileCase {
	return []hostileCase{
		{
			// Item 1: open registration must not hand out the jwt-bearer grant the server
			// enables, nor take jwt_bearer_subjects as policy.
			name: "open registration cannot register the jwt-bearer grant",
			config: func(c *compose.Config) {
				c.Registration = &registration.Options{Open: true, Scopes: []string{"read", "write"}}
			},
			attack: func(t *testing.T, s *testServer) *http.Response {
				key := newSigningKey(t, "k1")
				body := `{"grant_types":["urn:ietf:params:oauth:grant-type:jwt-bearer"],` +
					`"token_endpoint_auth_method":"private_key_jwt","jwks":` + string(key.jwks) +
					`,"scope":"read write","jwt_bearer_subjects":["*"]}`
				resp, err := s.Client.Post(s.URL+compose.PathRegister, "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				return resp
			},
			status: http.StatusBadRequest, oauthErr: "invalid_client_metadata",
		},
		{
			// Item 1: a client's own metadata never widens the subjects it may assert.
			name: "jwt_bearer_subjects in client metadata does not let a client assert another subject",
			attack: func(t *testing.T, s *testServer) *http.Response {
				key, secret := jwtBearerClient(t, s, "mallory", `{"jwt_bearer_subjects":["*"]}`)
				return s.send(t, compose.PathToken, "mallory", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"},
					"assertion": {key.assertion(t, "mallory", "alice", s.URL+compose.PathToken, "j1")},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_grant",
		},
		{
			// Item 1: a client may not present another issuer's assertion either.
			name: "a client cannot present another issuer's assertion",
			attack: func(t *testing.T, s *testServer) *http.Response {
				key, _ := jwtBearerClient(t, s, "issuer", "")
				_, secret := jwtBearerClient(t, s, "mallory", "")
				return s.send(t, compose.PathToken, "mallory", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"},
					"assertion": {key.assertion(t, "issuer", "issuer", s.URL+compose.PathToken, "j2")},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_grant",
		},
		{
			// Item 1: the operator's policy hook is what allows other subjects.
			name: "the JWTBearerPolicy hook allows what the operator trusts",
			config: func(c *compose.Config) {
				c.JWTBearerPolicy = func(_ context.Context, req compose.JWTBearerRequest) bool {
					return req.Issuer == req.Client.ID && req.Client.ID == "trusted" && req.Subject == "alice"
				}
			},
			attack: func(t *testing.T, s *testServer) *http.Response {
				key, secret := jwtBearerClient(t, s, "trusted", "")
				resp, body := s.postForm(t, compose.PathToken, "trusted", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"},
					"assertion": {key.assertion(t, "trusted", "alice", s.URL+compose.PathToken, "j3")},
				})
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("allowed subject: %d %v", resp.StatusCode, body)
				}
				if got := s.introspect(t, "trusted", secret, body["access_token"].(string)); got["sub"] != "alice" {
					t.Fatalf("token subject = %v, want alice", got["sub"])
				}
				return s.send(t, compose.PathToken, "trusted", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"},
					"assertion": {key.assertion(t, "trusted", "bob", s.URL+compose.PathToken, "j4")},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_grant",
		},
		{
			name: "a grant assertion may name the issuer identifier as its audience (rfc7523bis)",
			attack: func(t *testing.T, s *testServer) *http.Response {
				key, secret := jwtBearerClient(t, s, "svc", "")
				return s.send(t, compose.PathToken, "svc", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"},
					"assertion": {key.assertion(t, "svc", "svc", s.URL, "j7")},
				})
			},
			status: http.StatusOK,
		},
		{
			name: "a grant assertion for another server's audience is refused",
			attack: func(t *testing.T, s *testServer) *http.Response {
				key, secret := jwtBearerClient(t, s, "svc", "")
				return s.send(t, compose.PathToken, "svc", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"},
					"assertion": {key.assertion(t, "svc", "svc", "https://other.example.com", "j8")},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_grant",
		},
		{
			// Item 2: the assertion's aud names this server; it never picks the token's
			// audience.
			name: "an assertion's extra audiences do not reach the access token",
			attack: func(t *testing.T, s *testServer) *http.Response {
				key, secret := jwtBearerClient(t, s, "svc", "")
				aud := []string{s.URL + compose.PathToken, "api", "payments-rs"}
				resp, body := s.postForm(t, compose.PathToken, "svc", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"},
					"assertion": {key.signedAssertion(t, "svc", "svc", aud, "j5", time.Minute)},
				})
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("grant: %d %v", resp.StatusCode, body)
				}
				got := s.introspect(t, "svc", secret, body["access_token"].(string))
				var audience []string
				switch a := got["aud"].(type) {
				case string:
					audience = []string{a}
				case []any:
					for _, v := range a {
						audience = append(audience, v.(string))
					}
				}
				if !slices.Equal(audience, []string{"api"}) {
					t.Fatalf("token audience = %v, want the client's [api]", got["aud"])
				}
				// Asking for an audience outside the registration is refused.
				return s.send(t, compose.PathToken, "svc", secret, url.Values{
					"grant_type": {compose.GrantJWTBearer}, "scope": {"read"}, "audience": {"payments-rs"},
					"assertion": {key.signedAssertion(t, "svc", "svc", aud, "j6", time.Minute)},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_request",
		},
	}
}

package compose_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/compose"
)

func init() { hostileSuites["refresh"] = hostileRefresh }

// refreshTokenFor runs the authorization-code flow for a new confidential client and returns
// its secret and refresh token (scopes read write).
func refreshTokenFor(t *testing.T, s *testServer, id string) (secret, refresh string) {
	t.Helper()
	secret = s.addClient(t, defaultClient(id))
	conf := s.oauth2Config(id, secret)
	verifier := oauth2.GenerateVerifier()
	code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
	tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return secret, tok.RefreshToken
}

func hostileRefresh() []hostileCase {
	return []hostileCase{
		{
			name: "refresh asking for a scope beyond the grant is invalid_scope, not ignored",
			attack: func(t *testing.T, s *testServer) *http.Response {
				secret, rt := refreshTokenFor(t, s, "web")
				return s.send(t, compose.PathToken, "web", secret, url.Values{
					"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {"read write admin"},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_scope",
		},
		{
			name: "another client's refresh token is invalid_grant",
			attack: func(t *testing.T, s *testServer) *http.Response {
				_, rt := refreshTokenFor(t, s, "web")
				secret := s.addClient(t, defaultClient("mallory"))
				return s.send(t, compose.PathToken, "mallory", secret, url.Values{
					"grant_type": {"refresh_token"}, "refresh_token": {rt},
				})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_grant",
		},
	}
}

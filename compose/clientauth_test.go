package compose_test

import (
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

// TestPublicClientMayNameItselfInTheBasicHeaderWithAnEmptyPassword: clients that always
// use HTTP Basic (golang.org/x/oauth2 with AuthStyleInHeader) send a public client's ID with
// an empty password; that authenticates as none, while a confidential client with an empty
// password is invalid_client.
func TestPublicClientMayNameItselfInTheBasicHeaderWithAnEmptyPassword(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	c := defaultClient("spa")
	c.TokenEndpointAuthMethod = provider.AuthNone
	c.GrantTypes = []string{"authorization_code", "refresh_token"}
	s.addClient(t, c)
	conf := s.oauth2Config("spa", "")
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	verifier := oauth2.GenerateVerifier()
	code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
	tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("public client, Basic with an empty password: %v", err)
	}

	s.addClient(t, defaultClient("svc"))
	resp, body := s.postForm(t, compose.PathToken, "svc", "", url.Values{"grant_type": {"client_credentials"}})
	if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Fatalf("confidential client, empty password: %d %v, want 401 invalid_client", resp.StatusCode, body)
	}
}

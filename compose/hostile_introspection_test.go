package compose_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

func init() { hostileSuites["introspection"] = hostileIntrospection }

// hostileIntrospection replays items 4 and 5 of the security review: a bearer token or a
// public client as the introspection credential, one client reading another's access and
// refresh tokens (directly, as a resource server of another audience, or after registering
// itself with metadata that claims to be a resource server), and the refresh token a
// resource server was handed instead of an access token.
func hostileIntrospection() []hostileCase {
	resourceServers := func(c *compose.Config) {
		c.ResourceServers = map[string][]string{"rs": {"api"}, "payrs": {"payments"}}
		c.Registration = &registration.Options{Open: true, GrantTypes: []string{compose.GrantClientCredentials}, Scopes: []string{"read"}}
	}
	return []hostileCase{
		{
			name: "a public client's access token as the Bearer credential reads another client's token",
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				spa := defaultClient("spa")
				spa.TokenEndpointAuthMethod = provider.AuthNone
				s.addClient(t, spa)
				// Any valid access token was a credential to fosite; the victim's own one
				// serves as well as the public client's.
				return hostileIntrospect(t, s, "Bearer "+victim.access2, url.Values{"token": {victim.access}})
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		{
			name: "a public client authenticates by client_id alone",
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				spa := defaultClient("spa")
				spa.TokenEndpointAuthMethod = provider.AuthNone
				s.addClient(t, spa)
				return hostileIntrospect(t, s, "", url.Values{"token": {victim.access}, "client_id": {"spa"}})
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		{
			name: "unauthenticated introspection",
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				return hostileIntrospect(t, s, "", url.Values{"token": {victim.access}})
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		{
			name: "client A reads client B's access token",
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				secret := s.addClient(t, defaultClient("mallory"))
				return expectInactive(t, s.send(t, compose.PathIntrospect, "mallory", secret, url.Values{"token": {victim.access}}))
			},
			status: http.StatusOK,
		},
		{
			name: "client A reads client B's refresh token",
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				secret := s.addClient(t, defaultClient("mallory"))
				return expectInactive(t, s.send(t, compose.PathIntrospect, "mallory", secret, url.Values{"token": {victim.refresh}, "token_type_hint": {"refresh_token"}}))
			},
			status: http.StatusOK,
		},
		{
			name:   "a resource server of the token's audience reads its refresh token",
			config: resourceServers,
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				secret := s.addClient(t, defaultClient("rs"))
				return expectInactive(t, s.send(t, compose.PathIntrospect, "rs", secret, url.Values{"token": {victim.refresh}}))
			},
			status: http.StatusOK,
		},
		{
			name:   "a resource server of another audience reads an access token",
			config: resourceServers,
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				secret := s.addClient(t, defaultClient("payrs"))
				return expectInactive(t, s.send(t, compose.PathIntrospect, "payrs", secret, url.Values{"token": {victim.access}}))
			},
			status: http.StatusOK,
		},
		{
			name:   "a self-registered client claims in its metadata to be the token's resource server",
			config: resourceServers,
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				body := `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_basic","scope":"read",` +
					`"client_id":"rs","resource_server":true,"resource_servers":{"rs":["api"]},"audience":["api"],"resource":"api"}`
				resp, err := s.Client.Post(s.URL+compose.PathRegister, "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var reg struct {
					ClientID     string `json:"client_id"`
					ClientSecret string `json:"client_secret"`
				}
				if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated {
					t.Fatalf("register: %d %v", resp.StatusCode, err)
				}
				if reg.ClientID == "rs" {
					t.Fatal("registration let the client choose the resource server's client_id")
				}
				return expectInactive(t, s.send(t, compose.PathIntrospect, reg.ClientID, reg.ClientSecret, url.Values{"token": {victim.access}}))
			},
			status: http.StatusOK,
		},
		{
			name: "the token parameter twice, to confuse which token is checked",
			attack: func(t *testing.T, s *testServer) *http.Response {
				victim := hostileVictimTokens(t, s)
				secret := s.addClient(t, defaultClient("mallory"))
				own := clientCredentialsToken(t, s, "mallory", secret)
				return s.send(t, compose.PathIntrospect, "mallory", secret, url.Values{"token": {own, victim.access}})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_request",
		},
	}
}

// victimTokens are tokens of the client "victim" (audience "api"): two access tokens and a
// refresh token from the authorization code flow.
type victimTokens struct{ access, access2, refresh string }

func hostileVictimTokens(t *testing.T, s *testServer) victimTokens {
	t.Helper()
	w := &introspectionWorld{testServer: s, secrets: map[string]string{"victim": s.addClient(t, defaultClient("victim"))}}
	tok := w.codeTokens(t, "victim")
	return victimTokens{access: tok.AccessToken, access2: clientCredentialsToken(t, s, "victim", w.secrets["victim"]), refresh: tok.RefreshToken}
}

func clientCredentialsToken(t *testing.T, s *testServer, id, secret string) string {
	t.Helper()
	resp, body := s.postForm(t, compose.PathToken, id, secret, url.Values{"grant_type": {"client_credentials"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token for %s: %d %v", id, resp.StatusCode, body)
	}
	return body["access_token"].(string)
}

// hostileIntrospect posts form to the introspection endpoint with the given Authorization
// header (none when empty).
func hostileIntrospect(t *testing.T, s *testServer, authorization string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+compose.PathIntrospect, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// expectInactive checks that resp is exactly {"active":false}, which reveals nothing of the
// token (RFC 7662 §2.2), and hands it on with its body intact.
func expectInactive(t *testing.T, resp *http.Response) *http.Response {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := strings.TrimSpace(string(body)); resp.StatusCode == http.StatusOK && got != `{"active":false}` {
		t.Errorf("answer %s, want {\"active\":false}", got)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

package compose_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

// registered is what RFC 7591 registration answered.
type registered struct {
	ClientID                string `json:"client_id"`
	ClientSecret            string `json:"client_secret"`
	RegistrationAccessToken string `json:"registration_access_token"`
	RegistrationClientURI   string `json:"registration_client_uri"`
}

// withResourceServer lists a client of a random ID (shared servers outlive a run) as a
// resource server of the issuer's own audience and of api, so that it may introspect other
// clients' tokens; resourceServer returns its ID.
func withResourceServer(c *compose.Config) {
	c.ResourceServers = map[string][]string{randomName("rs"): {c.Issuer, "api"}}
}

func (s *testServer) resourceServer() string {
	for id := range s.Config().ResourceServers {
		return id
	}
	panic("the server lists no resource server: start it withResourceServer")
}

// withOpenRegistration enables open dynamic registration for the scopes read and write, and
// a resource server (withResourceServer).
func withOpenRegistration(c *compose.Config) {
	withResourceServer(c)
	c.Registration = &registration.Options{Open: true, Scopes: []string{"read", "write"}, GrantTypes: []string{compose.GrantAuthorizationCode, compose.GrantRefreshToken, compose.GrantClientCredentials}}
}

// register registers a confidential web client that may use the code, refresh and client
// credentials grants (RFC 7591).
func (s *testServer) register(t *testing.T) registered {
	t.Helper()
	body := `{"grant_types":["authorization_code","refresh_token","client_credentials"],"response_types":["code"],` +
		`"redirect_uris":["` + redirectURI + `"],"scope":"read write","token_endpoint_auth_method":"client_secret_basic"}`
	resp, err := s.Client.Post(s.URL+compose.PathRegister, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reg registered
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil || resp.StatusCode != http.StatusCreated || reg.RegistrationClientURI == "" {
		t.Fatalf("register: %d %v %+v", resp.StatusCode, err, reg)
	}
	return reg
}

// deleteRegistration sends the RFC 7592 §2.3 DELETE and returns the response.
func (s *testServer) deleteRegistration(t *testing.T, reg registered) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodDelete, reg.RegistrationClientURI, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+reg.RegistrationAccessToken)
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// issuedTokens are a registered client's tokens of every grant it may use.
type issuedTokens struct {
	codeAccess, refresh, credentialsAccess string
}

// tokensOf gets an access and a refresh token by the authorization code grant and an access
// token by client credentials.
func (s *testServer) tokensOf(t *testing.T, reg registered) issuedTokens {
	t.Helper()
	conf := s.oauth2Config(reg.ClientID, reg.ClientSecret)
	verifier := oauth2.GenerateVerifier()
	code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
	tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	resp, body := s.postForm(t, compose.PathToken, reg.ClientID, reg.ClientSecret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
	if resp.StatusCode != http.StatusOK || tok.RefreshToken == "" {
		t.Fatalf("client credentials: %d %v (refresh token %q)", resp.StatusCode, body, tok.RefreshToken)
	}
	return issuedTokens{codeAccess: tok.AccessToken, refresh: tok.RefreshToken, credentialsAccess: body["access_token"].(string)}
}

// TestDeletingAClientRevokesItsTokensInEveryFormatAndStore: RFC 7592 §2.3 DELETE revokes
// every token and grant of the client. Before, the access tokens stayed active and the
// refresh token stayed usable. Introspection is asked by another (resource-server) client,
// which sees each token active before the DELETE, so that "inactive" afterwards is the
// deletion's doing; the refresh token fails with invalid_client while the client is gone and
// with invalid_grant once a client is registered again under the same ID.
func TestDeletingAClientRevokesItsTokensInEveryFormatAndStore(t *testing.T) {
	for name, open := range everyStore() {
		t.Run(name, func(t *testing.T) {
			for _, format := range allFormats {
				t.Run(format, func(t *testing.T) {
					with := open(t)
					s := start(t, "", format, func(c *compose.Config) { with(c); withOpenRegistration(c) })
					rs := s.resourceServer()
					rsSecret := s.addClient(t, defaultClient(rs))
					reg := s.register(t)
					toks := s.tokensOf(t, reg)
					access := map[string]string{"authorization_code": toks.codeAccess, "client_credentials": toks.credentialsAccess}
					for grant, at := range access {
						if got := s.introspect(t, rs, rsSecret, at); got["active"] != true {
							t.Fatalf("%s access token before the DELETE: %v, want active", grant, got)
						}
					}

					resp := s.deleteRegistration(t, reg)
					resp.Body.Close()
					if resp.StatusCode != http.StatusNoContent {
						t.Fatalf("DELETE: status %d, want 204", resp.StatusCode)
					}
					for grant, at := range access {
						if got := s.introspect(t, rs, rsSecret, at); got["active"] != false {
							t.Fatalf("%s access token of a deleted client: %v, want inactive", grant, got)
						}
					}
					if got := s.introspect(t, rs, rsSecret, toks.refresh); got["active"] != false {
						t.Fatalf("refresh token of a deleted client: %v, want inactive", got)
					}
					refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks.refresh}}
					resp, body := s.postForm(t, compose.PathToken, reg.ClientID, reg.ClientSecret, refresh)
					if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" {
						t.Fatalf("refresh by the deleted client: %d %v, want 401 invalid_client", resp.StatusCode, body)
					}
					// The same ID registered again does not bring the old grant back.
					again := defaultClient(reg.ClientID)
					secret := s.addClient(t, again)
					resp, body = s.postForm(t, compose.PathToken, reg.ClientID, secret, refresh)
					if resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" {
						t.Fatalf("refresh with a deleted client's token by a client recreated under its ID: %d %v, want 400 invalid_grant", resp.StatusCode, body)
					}
				})
			}
		})
	}
}

// TestDeletingAClientFromTheStoreRevokesItsTokens: a client deleted through
// provider.ClientManager directly (an admin tool sharing the store) loses its tokens as
// well, stateless ones included.
func TestDeletingAClientFromTheStoreRevokesItsTokens(t *testing.T) {
	for _, format := range allFormats {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, withResourceServer)
			rs := s.resourceServer()
			rsSecret := s.addClient(t, defaultClient(rs))
			id := randomName("svc")
			secret := s.addClient(t, defaultClient(id))
			resp, body := s.postForm(t, compose.PathToken, id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("token: %d %v", resp.StatusCode, body)
			}
			at := body["access_token"].(string)
			if got := s.introspect(t, rs, rsSecret, at); got["active"] != true {
				t.Fatalf("before the deletion: %v, want active", got)
			}
			if err := s.Store().DeleteClient(t.Context(), id); err != nil {
				t.Fatal(err)
			}
			if got := s.introspect(t, rs, rsSecret, at); got["active"] != false {
				t.Fatalf("access token of a client deleted from the store: %v, want inactive", got)
			}
		})
	}
}

var _ provider.ClientManager = provider.Store(nil)

// TestTokensMintedWhileTheClientIsDeletedNeverValidate races client-credentials requests of
// a client against its RFC 7592 DELETE. Every request is answered 200, 401 invalid_client
// or 400 invalid_grant (never a 5xx), and afterwards no token that any of them got is
// active: a stored token minted during the deletion is refused by the store's client mark
// or deleted, and a stateless one is refused because its client is gone.
func TestTokensMintedWhileTheClientIsDeletedNeverValidate(t *testing.T) {
	for name, open := range everyStore() {
		t.Run(name, func(t *testing.T) {
			for _, format := range []string{compose.FormatOpaque, compose.FormatJWSStateless} {
				t.Run(format, func(t *testing.T) {
					with := open(t)
					s := start(t, "", format, func(c *compose.Config) { with(c); withOpenRegistration(c) })
					rs := s.resourceServer()
					rsSecret := s.addClient(t, defaultClient(rs))
					reg := s.register(t)
					const racers, each = 16, 4
					var mu sync.Mutex
					var minted []string
					var wg sync.WaitGroup
					start := make(chan struct{})
					form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}
					for i := range racers {
						wg.Go(func() {
							<-start
							if i == 0 {
								resp := s.deleteRegistration(t, reg)
								resp.Body.Close()
								if resp.StatusCode != http.StatusNoContent {
									t.Errorf("DELETE: status %d, want 204", resp.StatusCode)
								}
								return
							}
							for range each {
								resp, body := s.postForm(t, compose.PathToken, reg.ClientID, reg.ClientSecret, form)
								switch {
								case resp.StatusCode == http.StatusOK:
									mu.Lock()
									minted = append(minted, body["access_token"].(string))
									mu.Unlock()
								case resp.StatusCode == http.StatusUnauthorized && body["error"] == "invalid_client",
									resp.StatusCode == http.StatusBadRequest && body["error"] == "invalid_grant":
								default:
									t.Errorf("token request racing the DELETE: %d %v", resp.StatusCode, body)
								}
							}
						})
					}
					close(start)
					wg.Wait()
					for _, at := range minted {
						if got := s.introspect(t, rs, rsSecret, at); got["active"] != false {
							t.Fatalf("a token minted while its client was deleted: %v, want inactive", got)
						}
					}
					t.Logf("%d tokens minted during the race, all inactive afterwards", len(minted))
				})
			}
		})
	}
}

package compose_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/oauthkit/oauthkit/compose"
)

func init() { hostileSuites["client-delete"] = hostileClientDelete }

// deletedClient registers a client, takes its tokens, checks that another client sees its
// access token active, and deletes the client by RFC 7592 §2.3. It returns the tokens and
// the introspecting client's credentials.
func (s *testServer) deletedClient(t *testing.T) (reg registered, toks issuedTokens, rs, rsSecret string) {
	t.Helper()
	rs = s.resourceServer()
	rsSecret = s.addClient(t, defaultClient(rs))
	reg = s.register(t)
	toks = s.tokensOf(t, reg)
	if got := s.introspect(t, rs, rsSecret, toks.codeAccess); got["active"] != true {
		t.Fatalf("access token before the DELETE: %v, want active", got)
	}
	resp := s.deleteRegistration(t, reg)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: status %d, want 204", resp.StatusCode)
	}
	return reg, toks, rs, rsSecret
}

// hostileClientDelete replays what the holder of a deleted client's credentials and tokens
// could still do before item 6 of issue 9 was fixed (RFC 7592 §2.3: deleting a client
// revokes every token and grant it holds).
func hostileClientDelete() []hostileCase {
	inactive := func(format string) hostileCase {
		return hostileCase{
			name:   "introspect a deleted client's " + format + " access token",
			config: func(c *compose.Config) { withOpenRegistration(c); c.DefaultFormat = format },
			attack: func(t *testing.T, s *testServer) *http.Response {
				_, toks, rs, rsSecret := s.deletedClient(t)
				for _, at := range []string{toks.codeAccess, toks.credentialsAccess} {
					if got := s.introspect(t, rs, rsSecret, at); got["active"] != false {
						t.Fatalf("access token of a deleted client: %v, want inactive", got)
					}
				}
				return s.send(t, compose.PathIntrospect, rs, rsSecret, url.Values{"token": {toks.codeAccess}})
			},
			status: http.StatusOK, // RFC 7662 §2.2: {"active": false}, checked above
		}
	}
	var cases []hostileCase
	for _, format := range allFormats {
		cases = append(cases, inactive(format))
	}
	return append(cases,
		hostileCase{
			name:   "refresh with a deleted client's credentials",
			config: withOpenRegistration,
			attack: func(t *testing.T, s *testServer) *http.Response {
				reg, toks, _, _ := s.deletedClient(t)
				return s.send(t, compose.PathToken, reg.ClientID, reg.ClientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks.refresh}})
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			name:   "refresh a deleted client's token as a client recreated under its ID",
			config: withOpenRegistration,
			attack: func(t *testing.T, s *testServer) *http.Response {
				reg, toks, _, _ := s.deletedClient(t)
				secret := s.addClient(t, defaultClient(reg.ClientID))
				return s.send(t, compose.PathToken, reg.ClientID, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks.refresh}})
			},
			status: http.StatusBadRequest, oauthErr: "invalid_grant",
		},
		hostileCase{
			name:   "client credentials with a deleted client's secret",
			config: withOpenRegistration,
			attack: func(t *testing.T, s *testServer) *http.Response {
				reg, _, _, _ := s.deletedClient(t)
				return s.send(t, compose.PathToken, reg.ClientID, reg.ClientSecret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			name:   "revoke with a deleted client's secret",
			config: withOpenRegistration,
			attack: func(t *testing.T, s *testServer) *http.Response {
				reg, toks, _, _ := s.deletedClient(t)
				return s.send(t, compose.PathRevoke, reg.ClientID, reg.ClientSecret, url.Values{"token": {toks.refresh}})
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			name:   "DELETE a deleted client again with its registration token",
			config: withOpenRegistration,
			attack: func(t *testing.T, s *testServer) *http.Response {
				reg, _, _, _ := s.deletedClient(t)
				return s.deleteRegistration(t, reg)
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_token",
		},
	)
}

package compose_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// TestAllSixFormatsOnOneServer enables every built-in format on one server, over real HTTP,
// with one client per format: each client's tokens are issued in its format (recognised by
// that format alone, and kept in the store exactly as its persistence says), introspect
// active with the right claims, refresh into a token of the same format, revoke, and then
// introspect inactive. It runs on memstore and sqlite.
func TestAllSixFormatsOnOneServer(t *testing.T) {
	for name, storage := range backends(t) {
		t.Run(name, func(t *testing.T) {
			s := start(t, storage(t), compose.FormatOpaque, func(c *compose.Config) {
				c.Formats = allFormats
				c.ResourceServers = map[string][]string{"rs": {"api"}}
			})
			rsSecret := s.addClient(t, defaultClient("rs"))
			secrets := map[string]string{}
			for _, format := range allFormats {
				c := defaultClient("client-" + format)
				c.AccessTokenFormat = format
				secrets[format] = s.addClient(t, c)
			}
			for _, format := range allFormats {
				t.Run(format, func(t *testing.T) {
					id, secret := "client-"+format, secrets[format]

					// client_credentials: the client is the subject.
					resp, body := s.postForm(t, compose.PathToken, id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("client_credentials: %d %v", resp.StatusCode, body)
					}
					cc := body["access_token"].(string)
					s.checkFormat(t, format, cc)
					s.checkActive(t, "rs", rsSecret, cc, id, id, "read")

					// authorization code with PKCE: access and refresh token for alice.
					conf := s.oauth2Config(id, secret)
					verifier := oauth2.GenerateVerifier()
					code := s.authorize(t, conf, oauth2.S256ChallengeOption(verifier))
					tok, err := conf.Exchange(s.ctx(), code, oauth2.VerifierOption(verifier))
					if err != nil {
						t.Fatalf("Exchange: %v", err)
					}
					s.checkFormat(t, format, tok.AccessToken)
					s.checkActive(t, id, secret, tok.AccessToken, id, "alice", "read write")

					// Refresh: the new access token is of the client's format too.
					resp, body = s.postForm(t, compose.PathToken, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("refresh: %d %v", resp.StatusCode, body)
					}
					refreshed, newRefresh := body["access_token"].(string), body["refresh_token"].(string)
					s.checkFormat(t, format, refreshed)
					s.checkActive(t, "rs", rsSecret, refreshed, id, "alice", "read write")

					// Revocation: each token revoked introspects inactive.
					for _, tt := range []struct{ kind, token string }{
						{"client_credentials access token", cc},
						{"refreshed access token", refreshed},
						{"refresh token", newRefresh},
					} {
						resp, body := s.postForm(t, compose.PathRevoke, id, secret, url.Values{"token": {tt.token}})
						if resp.StatusCode != http.StatusOK {
							t.Fatalf("revoke %s: %d %v", tt.kind, resp.StatusCode, body)
						}
						if got := s.introspect(t, id, secret, tt.token); got["active"] != false {
							t.Errorf("%s after revocation: %v, want inactive", tt.kind, got)
						}
					}
				})
			}
		})
	}
}

// checkFormat asserts that token is recognised by the named format alone, parses with it,
// and is kept in the store as the format's persistence says.
func (s *testServer) checkFormat(t *testing.T, want, token string) {
	t.Helper()
	var tok tokenformat.Token
	for _, name := range allFormats {
		f := s.Format(name)
		if f == nil {
			t.Fatalf("format %s is not enabled", name)
		}
		r, ok := f.(tokenformat.Recognizer)
		if !ok {
			t.Fatalf("built-in format %s has no Recognizer", name)
		}
		if got := r.Recognize(token); got != (name == want) {
			t.Errorf("format %s recognises a %s token: %v", name, want, got)
		}
		if name == want {
			var err error
			if tok, err = f.Parse(s.ctx(), token); err != nil {
				t.Fatalf("format %s does not parse its own token: %v", name, err)
			}
		}
	}
	stored, err := s.Store().Token(s.ctx(), provider.AccessToken, tok.Key)
	switch persist := s.Format(want).Persistence(); {
	case persist == tokenformat.StoreNothing:
		if !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("%s token stored (%v), want nothing kept", want, err)
		}
	case err != nil:
		t.Errorf("%s token not stored: %v", want, err)
	case persist == tokenformat.StoreTokenOnly && string(stored.Session) != token:
		t.Errorf("%s: the stored record is not the token alone", want)
	case persist == tokenformat.StoreRecord && stored.ClientID == "":
		t.Errorf("%s: the stored record has no client", want)
	}
}

// checkActive asserts that caller sees token active with the given client, subject and
// scope, audience api, issued by this server.
func (s *testServer) checkActive(t *testing.T, caller, secret, token, client, subject, scope string) {
	t.Helper()
	got := s.introspect(t, caller, secret, token)
	want := map[string]any{
		"active": true, "token_type": "access_token", "client_id": client, "sub": subject,
		"scope": scope, "iss": s.URL,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("introspection %s = %v, want %v (answer %v)", k, got[k], v, got)
		}
	}
	if aud, _ := got["aud"].([]any); len(aud) != 1 || aud[0] != "api" {
		t.Errorf("introspection aud = %v, want [api]", got["aud"])
	}
}

package compose_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/compose"
)

func init() { hostileSuites["authorize"] = hostileAuthorize }

// hostileAuthorize replays the review's attacks on the authorization endpoint and the HTTP
// edge: loopback redirect URIs of a web client, userinfo, repeated parameters,
// unauthenticated revocation, oversized bodies, and an authorization response without iss.
func hostileAuthorize() []hostileCase {
	// redirectTo asks for an authorization to redirect (a web client "web" is registered
	// with loopbackCallback, a native client "native" with loopback URIs) and checks that the
	// answer is not a redirect to the attacker's URI.
	redirectTo := func(client, redirect string) func(t *testing.T, s *testServer) *http.Response {
		return func(t *testing.T, s *testServer) *http.Response {
			s.addWebAndNativeClients(t)
			resp, err := s.noRedirects().Get(s.URL + compose.PathAuthorize + "?" + authorizeQuery(client, redirect).Encode())
			if err != nil {
				t.Fatal(err)
			}
			if loc := resp.Header.Get("Location"); loc != "" {
				t.Errorf("redirected to %q", loc)
			}
			return resp
		}
	}
	// form posts a raw form body as the registered client "web".
	form := func(path, body string) func(t *testing.T, s *testServer) *http.Response {
		return func(t *testing.T, s *testServer) *http.Response {
			secret := s.addClient(t, defaultClient("web"))
			req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("web", secret)
			resp, err := s.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
	}
	return []hostileCase{
		{name: "web client redirect to another loopback port", attack: redirectTo("web", "http://127.0.0.1:10000/callback"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "web client redirect with userinfo", attack: redirectTo("web", "http://evil.example@127.0.0.1:9999/callback"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "web client redirect to port 0", attack: redirectTo("web", "http://127.0.0.1:0/callback"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "web client redirect with upper-case scheme", attack: redirectTo("web", "HTTP://127.0.0.1:9999/callback"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "native client redirect with userinfo", attack: redirectTo("native", "http://evil.example@127.0.0.1:5000/callback"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "repeated client_id at the authorization endpoint", attack: func(t *testing.T, s *testServer) *http.Response {
			s.addWebAndNativeClients(t)
			resp, err := s.noRedirects().Get(s.URL + compose.PathAuthorize + "?" + authorizeQuery("web", loopbackCallback).Encode() + "&client_id=native")
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}, status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "authorization error redirect carries iss (RFC 9207 mix-up defence)", attack: func(t *testing.T, s *testServer) *http.Response {
			s.addWebAndNativeClients(t)
			q := authorizeQuery("web", loopbackCallback)
			q.Set("scope", "admin")
			resp, err := s.noRedirects().Get(s.URL + compose.PathAuthorize + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if loc == nil || loc.Query().Get("iss") != s.URL || loc.Query().Get("error") != "invalid_scope" {
				t.Errorf("error redirect %q, want invalid_scope with iss=%s", resp.Header.Get("Location"), s.URL)
			}
			return resp
		}, status: http.StatusSeeOther},
		{name: "repeated grant_type", attack: form(compose.PathToken, "grant_type=client_credentials&grant_type=client_credentials"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "repeated scope", attack: form(compose.PathToken, "grant_type=client_credentials&scope=read&scope=write"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "repeated code", attack: form(compose.PathToken, "grant_type=authorization_code&code=a&code=b"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "repeated token at introspection", attack: form(compose.PathIntrospect, "token=a&token=b"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "repeated token_type_hint at revocation", attack: form(compose.PathRevoke, "token=a&token_type_hint=access_token&token_type_hint=refresh_token"), status: http.StatusBadRequest, oauthErr: "invalid_request"},
		{name: "unauthenticated revocation", attack: func(t *testing.T, s *testServer) *http.Response {
			resp := s.send(t, compose.PathRevoke, "", "", url.Values{"token": {"some-token"}})
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			return resp
		}, status: http.StatusUnauthorized, oauthErr: "invalid_client"},
		{name: "oversized token request body", attack: form(compose.PathToken, "grant_type=client_credentials&pad="+strings.Repeat("a", compose.MaxBodyBytes)), status: http.StatusRequestEntityTooLarge, oauthErr: "invalid_request"},
		{name: "oversized revocation body", attack: form(compose.PathRevoke, "token=a&pad="+strings.Repeat("a", compose.MaxBodyBytes)), status: http.StatusRequestEntityTooLarge, oauthErr: "invalid_request"},
	}
}

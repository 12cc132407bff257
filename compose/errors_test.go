package compose_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/compose"
)

func TestTokenEndpointErrorsFollowRFC6749(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	secret := s.addClient(t, defaultClient("svc"))
	cc := url.Values{"grant_type": {"client_credentials"}}
	tests := []struct {
		name       string
		id, secret string
		form       url.Values
		status     int
		err        string
		challenge  bool
	}{
		{"wrong secret", "svc", secret + "x", cc, http.StatusUnauthorized, "invalid_client", true},
		{"unknown client", "nobody", secret, cc, http.StatusUnauthorized, "invalid_client", true},
		{"no credentials", "", "", cc, http.StatusBadRequest, "invalid_request", false},
		{"unsupported grant", "svc", secret, url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}}, http.StatusBadRequest, "unsupported_grant_type", false},
		{"made-up grant", "svc", secret, url.Values{"grant_type": {"urn:example:nope"}}, http.StatusBadRequest, "unsupported_grant_type", false},
		{"scope not allowed", "svc", secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, http.StatusBadRequest, "invalid_scope", false},
		{"audience not allowed", "svc", secret, url.Values{"grant_type": {"client_credentials"}, "audience": {"elsewhere"}}, http.StatusBadRequest, "invalid_request", false},
		{"unknown code", "svc", secret, url.Values{"grant_type": {"authorization_code"}, "code": {"ory_ac_nope.nope"}, "redirect_uri": {redirectURI}}, http.StatusBadRequest, "invalid_grant", false},
		{"unknown refresh token", "svc", secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"ory_rt_nope.nope"}}, http.StatusBadRequest, "invalid_grant", false},
		{"access token as refresh token", "svc", secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"eyJhbGciOiJub25lIn0.e30."}}, http.StatusBadRequest, "invalid_grant", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := s.postForm(t, compose.PathToken, tt.id, tt.secret, tt.form)
			if resp.StatusCode != tt.status || body["error"] != tt.err {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, body, tt.status, tt.err)
			}
			if got := resp.Header.Get("WWW-Authenticate"); tt.challenge != (got != "") {
				t.Fatalf("WWW-Authenticate = %q, want one: %v", got, tt.challenge)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
			}
			for k, v := range body {
				text, _ := v.(string)
				if k == "error_debug" || strings.Contains(text, "provider:") || strings.Contains(text, "fositeadapter") || strings.Contains(text, ".go:") {
					t.Fatalf("error leaks internals: %s=%q", k, text)
				}
			}
		})
	}
}

func TestIntrospectionAndRevocationNeedClientAuthentication(t *testing.T) {
	s := start(t, "memory://", compose.FormatOpaque, nil)
	secret := s.addClient(t, defaultClient("svc"))
	_, body := s.postForm(t, compose.PathToken, "svc", secret, url.Values{"grant_type": {"client_credentials"}})
	at := body["access_token"].(string)

	resp, body := s.postForm(t, compose.PathIntrospect, "svc", "wrong-secret", url.Values{"token": {at}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("introspect with a wrong secret: %d %v", resp.StatusCode, body)
	}
	resp, body = s.postForm(t, compose.PathRevoke, "svc", "wrong-secret", url.Values{"token": {at}})
	if resp.StatusCode != http.StatusUnauthorized || body["error"] != "invalid_client" || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("revoke with a wrong secret: %d %v", resp.StatusCode, body)
	}
	if got := s.introspect(t, "svc", secret, at); got["active"] != true {
		t.Fatalf("token revoked by an unauthenticated request: %v", got)
	}
}

func TestAnotherClientCannotRevokeAToken(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWSStateless, nil)
	secret := s.addClient(t, defaultClient("svc"))
	other := s.addClient(t, defaultClient("other"))
	_, body := s.postForm(t, compose.PathToken, "svc", secret, url.Values{"grant_type": {"client_credentials"}})
	at := body["access_token"].(string)
	resp, body := s.postForm(t, compose.PathRevoke, "other", other, url.Values{"token": {at}})
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("revoke by another client: %d %v, want an error", resp.StatusCode, body)
	}
	if got := s.introspect(t, "svc", secret, at); got["active"] != true {
		t.Fatalf("token revoked by another client: %v", got)
	}
}

func TestGarbageTokensIntrospectInactive(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, func(c *compose.Config) {
		c.Formats = []string{compose.FormatOpaque, compose.FormatEncrypted, compose.FormatJWE}
	})
	secret := s.addClient(t, defaultClient("svc"))
	for _, tok := range []string{
		"", "x", "ory_at_x.y", "ory_rt_x.y", "eyJhbGciOiJub25lIn0.e30.", strings.Repeat("a", 20000),
		"a.b.c.d.e", "\x00oauthkit\x000\x00key", "oauthkit_at_zzz",
	} {
		resp, body := s.postForm(t, compose.PathIntrospect, "svc", secret, url.Values{"token": {tok}})
		if resp.StatusCode == http.StatusOK && body["active"] == true {
			t.Errorf("token %.20q introspects active", tok)
		}
		if resp.StatusCode >= 500 {
			t.Errorf("token %.20q: status %d", tok, resp.StatusCode)
		}
	}
}

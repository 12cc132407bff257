package compose_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/oauthkit/oauthkit/compose"
)

// TestRefreshWithNarrowerScopeIsHonouredAndBroaderIsInvalidScope proves RFC 6749 §6 for
// every format: a refresh request's scope narrows the new access token, the rotated refresh
// token keeps the original scope, and a scope beyond the original grant is invalid_scope.
func TestRefreshWithNarrowerScopeIsHonouredAndBroaderIsInvalidScope(t *testing.T) {
	for _, format := range allFormats {
		t.Run(format, func(t *testing.T) {
			s := start(t, "memory://", format, nil)
			secret, rt := refreshTokenFor(t, s, "web")
			refresh := func(rt, scope string) (*http.Response, map[string]any) {
				form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
				if scope != "" {
					form.Set("scope", scope)
				}
				return s.postForm(t, compose.PathToken, "web", secret, form)
			}
			for _, broader := range []string{"read write admin", "admin"} {
				if resp, body := refresh(rt, broader); resp.StatusCode != http.StatusBadRequest || body["error"] != "invalid_scope" {
					t.Fatalf("scope %q: %d %v, want 400 invalid_scope", broader, resp.StatusCode, body)
				}
			}
			resp, narrow := refresh(rt, "read")
			if resp.StatusCode != http.StatusOK || narrow["scope"] != "read" {
				t.Fatalf("narrower refresh: %d %v, want 200 with scope read", resp.StatusCode, narrow)
			}
			if got := s.introspect(t, "web", secret, narrow["access_token"].(string)); got["active"] != true || got["scope"] != "read" {
				t.Fatalf("narrowed access token introspects %v, want scope read", got)
			}
			// The rotated refresh token still carries the whole grant.
			resp, full := refresh(narrow["refresh_token"].(string), "")
			if resp.StatusCode != http.StatusOK || full["scope"] != "read write" {
				t.Fatalf("refresh of the rotated token: %d %v, want scope \"read write\"", resp.StatusCode, full)
			}
		})
	}
}

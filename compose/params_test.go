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
)

// sendRaw posts the raw form body to path with optional basic credentials, and returns
// the response with its body read.
func (s *testServer) sendRaw(t *testing.T, path, id, secret, body string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestRepeatedParametersAndUnparsableBodiesAreInvalidRequest(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	secret := s.addClient(t, defaultClient("web"))
	_, tok := s.postForm(t, compose.PathToken, "web", secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
	at, _ := tok["access_token"].(string)
	if at == "" {
		t.Fatalf("no token: %v", tok)
	}
	for _, c := range []struct {
		name, path, body string
	}{
		{"token grant_type", compose.PathToken, "grant_type=client_credentials&grant_type=client_credentials"},
		{"token grant_type differing", compose.PathToken, "grant_type=client_credentials&grant_type=refresh_token"},
		{"token scope", compose.PathToken, "grant_type=client_credentials&scope=read&scope=write"},
		{"token code", compose.PathToken, "grant_type=authorization_code&code=a&code=b&redirect_uri=" + url.QueryEscape(loopbackCallback)},
		{"token refresh_token", compose.PathToken, "grant_type=refresh_token&refresh_token=a&refresh_token=b"},
		{"token client_id", compose.PathToken, "grant_type=client_credentials&client_id=web&client_id=other"},
		{"token code_verifier", compose.PathToken, "grant_type=authorization_code&code=a&code_verifier=x&code_verifier=y"},
		{"introspect token", compose.PathIntrospect, "token=" + at + "&token=" + at},
		{"introspect token_type_hint", compose.PathIntrospect, "token=" + at + "&token_type_hint=access_token&token_type_hint=refresh_token"},
		{"revoke token", compose.PathRevoke, "token=" + at + "&token=other"},
		{"revoke token_type_hint", compose.PathRevoke, "token=" + at + "&token_type_hint=access_token&token_type_hint=access_token"},
		{"token body that does not parse", compose.PathToken, "grant_type=client_credentials&scope=read&x=%zz"},
		{"introspect body that does not parse", compose.PathIntrospect, "token=" + at + "&x=%zz"},
		{"revoke body that does not parse", compose.PathRevoke, "token=" + at + "&x=%zz"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.sendRaw(t, c.path, "web", secret, c.body)
			assertOAuthError(t, resp, body, http.StatusBadRequest, "invalid_request")
		})
	}
	// The token was not revoked by the refused revocation.
	if got := s.introspect(t, "web", secret, at); got["active"] != true {
		t.Fatalf("a refused revocation revoked the token: %v", got)
	}
}

func TestParametersWithoutValueAreTreatedAsOmitted(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	secret := s.addClient(t, defaultClient("web"))
	for _, c := range []struct {
		name, body, scope string
	}{
		{"empty scope", "grant_type=client_credentials&scope=", ""},
		{"empty then scope", "grant_type=client_credentials&scope=&scope=read", "read"},
		{"scope then empty", "grant_type=client_credentials&scope=write&scope=", "write"},
		{"empty grant_type then grant_type", "grant_type=&grant_type=client_credentials&scope=read", "read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.sendRaw(t, compose.PathToken, "web", secret, c.body)
			var tok struct {
				Scope string `json:"scope"`
			}
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.Scope != c.scope {
				t.Fatalf("status %d body %s; want 200 with scope %q", resp.StatusCode, body, c.scope)
			}
		})
	}
}

func TestRepeatedAuthorizationParametersAreInvalidRequest(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	s.addWebAndNativeClients(t)
	base := authorizeQuery("web", loopbackCallback).Encode()
	for _, c := range []struct {
		name, extra string
		redirect    bool // the error goes back to the client (the client and redirect URI are sure)
	}{
		{"client_id", "&client_id=native", false},
		{"client_id same", "&client_id=web", false},
		{"redirect_uri", "&redirect_uri=" + url.QueryEscape(loopbackCallback), false},
		{"response_type", "&response_type=code", true},
		{"scope", "&scope=write", true},
		{"state", "&state=other-0123456789abcdef", true},
		{"code_challenge", "&code_challenge=" + strings.Repeat("a", 43), true},
		{"code_challenge_method", "&code_challenge_method=S256", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.getAuthorize(t, base+c.extra)
			if !c.redirect {
				if loc := resp.Header.Get("Location"); loc != "" {
					t.Fatalf("redirected to %q", loc)
				}
				assertOAuthError(t, resp, body, http.StatusBadRequest, "invalid_request")
				return
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || err != nil {
				t.Fatalf("status %d body %s; want a 303 error redirect", resp.StatusCode, body)
			}
			if q := loc.Query(); q.Get("error") != "invalid_request" || q.Get("iss") != s.URL {
				t.Fatalf("redirect %s; want error invalid_request with iss", loc.Redacted())
			}
		})
	}
	// A login page posting back with its own fields (the same query) is not a repetition.
	resp, err := s.noRedirects().PostForm(s.URL+compose.PathAuthorize+"?"+base, url.Values{"user": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != http.StatusSeeOther || loc.Query().Get("code") == "" {
		t.Fatalf("consent: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestRevocationWithoutClientCredentialsIsInvalidClient(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	secret := s.addClient(t, defaultClient("web"))
	_, tok := s.postForm(t, compose.PathToken, "web", secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
	at, _ := tok["access_token"].(string)
	for _, c := range []struct {
		name, id, secret, body string
	}{
		{"no credentials", "", "", "token=" + at},
		{"no credentials with hint", "", "", "token=" + at + "&token_type_hint=access_token"},
		{"client_id of a confidential client without secret", "", "", "token=" + at + "&client_id=web"},
		{"unknown client", "nobody", "secret", "token=" + at},
		{"wrong secret", "web", "wrong", "token=" + at},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, body := s.sendRaw(t, compose.PathRevoke, c.id, c.secret, c.body)
			assertOAuthError(t, resp, body, http.StatusUnauthorized, "invalid_client")
			if resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate (RFC 6749 §5.2)")
			}
		})
	}
	if got := s.introspect(t, "web", secret, at); got["active"] != true {
		t.Fatalf("an unauthenticated revocation revoked the token: %v", got)
	}
}

func TestOversizedBodyIsRequestEntityTooLarge(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, func(c *compose.Config) {
		c.Registration = &registration.Options{Open: true, Scopes: []string{"read"}}
	})
	secret := s.addClient(t, defaultClient("web"))
	big := "grant_type=client_credentials&scope=read&pad=" + strings.Repeat("a", compose.MaxBodyBytes)
	bigJSON := `{"client_name":"` + strings.Repeat("a", compose.MaxBodyBytes) + `"}`
	for _, c := range []struct {
		name, path, contentType, body string
		chunked                       bool
	}{
		{"token", compose.PathToken, "application/x-www-form-urlencoded", big, false},
		{"token chunked", compose.PathToken, "application/x-www-form-urlencoded", big, true},
		{"introspect", compose.PathIntrospect, "application/x-www-form-urlencoded", big, false},
		{"introspect chunked", compose.PathIntrospect, "application/x-www-form-urlencoded", big, true},
		{"revoke", compose.PathRevoke, "application/x-www-form-urlencoded", big, false},
		{"revoke chunked", compose.PathRevoke, "application/x-www-form-urlencoded", big, true},
		{"authorize", compose.PathAuthorize + "?" + authorizeQuery("web", loopbackCallback).Encode(), "application/x-www-form-urlencoded", big, false},
		{"authorize chunked", compose.PathAuthorize + "?" + authorizeQuery("web", loopbackCallback).Encode(), "application/x-www-form-urlencoded", big, true},
		{"register", compose.PathRegister, "application/json", bigJSON, false},
		{"register chunked", compose.PathRegister, "application/json", bigJSON, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(c.body)
			if c.chunked {
				body = io.MultiReader(body) // no length: sent chunked
			}
			req, err := http.NewRequest(http.MethodPost, s.URL+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", c.contentType)
			req.SetBasicAuth("web", secret)
			resp, err := s.noRedirects().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			assertOAuthError(t, resp, b, http.StatusRequestEntityTooLarge, "invalid_request")
			if !bytes.Contains(b, []byte("too large")) {
				t.Fatalf("error description does not say the body is too large: %s", b)
			}
		})
	}
	// A body just under the limit is still read.
	ok := "grant_type=client_credentials&scope=read&pad="
	ok += strings.Repeat("a", compose.MaxBodyBytes-len(ok))
	if resp, body := s.sendRaw(t, compose.PathToken, "web", secret, ok); resp.StatusCode != http.StatusOK {
		t.Fatalf("a body of exactly MaxBodyBytes: %d %s", resp.StatusCode, body)
	}
}

func TestAuthorizationParametersWithoutValueAreTreatedAsOmitted(t *testing.T) {
	s := start(t, "memory://", compose.FormatJWS, nil)
	s.addWebAndNativeClients(t)
	for _, c := range []struct {
		name, query, scope, state string
	}{
		{"empty scope before scope", "&scope=&scope=read", "read", "state-0123456789abcdef"},
		{"empty state before state", "&state=&state=other-0123456789abcdef", "read", "other-0123456789abcdef"},
		{"empty redirect_uri with one registered", "&redirect_uri=", "read", "state-0123456789abcdef"},
	} {
		t.Run(c.name, func(t *testing.T) {
			q := authorizeQuery("web", loopbackCallback)
			for _, k := range []string{"scope", "state", "redirect_uri"} {
				if strings.Contains(c.query, "&"+k+"=") {
					q.Del(k)
				}
			}
			resp, err := s.noRedirects().PostForm(s.URL+compose.PathAuthorize+"?"+q.Encode()+c.query, url.Values{"user": {"alice"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			got := loc.Query()
			if got.Get("code") == "" || got.Get("scope") != c.scope || got.Get("state") != c.state {
				t.Fatalf("redirect %s; want a code with scope %q and state %q", loc.Redacted(), c.scope, c.state)
			}
		})
	}
}

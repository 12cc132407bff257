package main

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// browser is a user agent with its own cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// demoAuthURL is an authorization request of the demo client "web" with the given state.
func demoAuthURL(base, state string) string {
	sum := sha256.Sum256([]byte(strings.Repeat("v", 50) + state))
	q := url.Values{
		"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {"http://127.0.0.1:1/callback"},
		"scope": {"read write"}, "state": {state},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	return base + "/oauth2/authorize?" + q.Encode()
}

// loginToken loads the login page for authURL in b and returns the form's CSRF token.
func loginToken(t *testing.T, b *http.Client, authURL string) string {
	t.Helper()
	resp, err := b.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	m := csrfField.FindSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("login page: %d without a csrf_token field: %s", resp.StatusCode, page)
	}
	return string(m[1])
}

func TestLoginFormRefusesAPostWithoutTheCSRFTokenOfItsOwnRequest(t *testing.T) {
	dir := t.TempDir()
	base, _, _ := serve(t, "-storage", "sqlite://"+dir+"/a.db", "-kek-file", dir+"/a.kek",
		"-client", "web:0123456789abcdef0123456789abcdef-web-secret", "-user", "alice:wonderland", "-issuer", "http://127.0.0.1:1")
	credentials := func(token string) url.Values {
		f := url.Values{"username": {"alice"}, "password": {"wonderland"}, "consent": {"yes"}, "grant_scope": {"read"}}
		if token != "" {
			f.Set("csrf_token", token)
		}
		return f
	}
	for _, c := range []struct {
		name string
		// post returns the browser that posts, the authorization URL it posts to, and the form.
		post func(t *testing.T) (*http.Client, string, url.Values)
		ok   bool
	}{
		{"valid token", func(t *testing.T) (*http.Client, string, url.Values) {
			b, u := browser(t), demoAuthURL(base, "state-valid-0123456789")
			return b, u, credentials(loginToken(t, b, u))
		}, true},
		{"no token", func(t *testing.T) (*http.Client, string, url.Values) {
			b, u := browser(t), demoAuthURL(base, "state-none-0123456789")
			loginToken(t, b, u)
			return b, u, credentials("")
		}, false},
		{"no token and no cookie (a cross-site auto-submitted form)", func(t *testing.T) (*http.Client, string, url.Values) {
			return browser(t), demoAuthURL(base, "state-cross-0123456789"), credentials("")
		}, false},
		{"token of another authorization request", func(t *testing.T) (*http.Client, string, url.Values) {
			b := browser(t)
			other := loginToken(t, b, demoAuthURL(base, "state-other-0123456789"))
			u := demoAuthURL(base, "state-this-0123456789")
			loginToken(t, b, u)
			return b, u, credentials(other)
		}, false},
		{"token for the same request from the attacker's own browser", func(t *testing.T) (*http.Client, string, url.Values) {
			u := demoAuthURL(base, "state-same-0123456789")
			attackers := loginToken(t, browser(t), u)
			victim := browser(t)
			loginToken(t, victim, u)
			return victim, u, credentials(attackers)
		}, false},
		{"token without the cookie it is bound to", func(t *testing.T) (*http.Client, string, url.Values) {
			u := demoAuthURL(base, "state-nocookie-0123456789")
			token := loginToken(t, browser(t), u)
			return browser(t), u, credentials(token)
		}, false},
		{"garbage token", func(t *testing.T) (*http.Client, string, url.Values) {
			b, u := browser(t), demoAuthURL(base, "state-garbage-0123456789")
			loginToken(t, b, u)
			return b, u, credentials("not-a-token")
		}, false},
		{"deny without token", func(t *testing.T) (*http.Client, string, url.Values) {
			b, u := browser(t), demoAuthURL(base, "state-deny-0123456789")
			f := credentials("")
			f.Set("consent", "no")
			return b, u, f
		}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, u, form := c.post(t)
			resp, err := b.PostForm(u, form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if c.ok {
				if resp.StatusCode != http.StatusSeeOther || loc.Query().Get("code") == "" {
					t.Fatalf("status %d Location %q; want consent with a code", resp.StatusCode, resp.Header.Get("Location"))
				}
				return
			}
			if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Location") != "" {
				t.Fatalf("status %d Location %q; want 403 and no consent", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

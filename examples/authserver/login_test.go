package main

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLoginPageDrivesTheAuthorizationCodeFlow(t *testing.T) {
	dir := t.TempDir()
	const secret = "0123456789abcdef0123456789abcdef-web-secret"
	base, _, _ := serve(t, "-storage", "sqlite://"+dir+"/a.db", "-kek-file", dir+"/a.kek",
		"-client", "web:"+secret, "-user", "alice:wonderland", "-issuer", "http://127.0.0.1:1")
	// The issuer is fixed (it goes into tokens and the redirect URI); requests go to base.
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {"web"}, "redirect_uri": {"http://127.0.0.1:1/callback"},
		"scope": {"read write"}, "state": {"0123456789abcdef"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	authURL := base + "/oauth2/authorize?" + q.Encode()
	client := browser(t)

	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Demo page") || !strings.Contains(string(page), `name="password"`) {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatalf("login page without a CSRF token: %s", page)
	}
	token := string(m[1])

	submit := func(form url.Values) *http.Response {
		form.Set("csrf_token", token)
		resp, err := client.PostForm(authURL, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := submit(url.Values{"username": {"alice"}, "password": {"wrong"}, "consent": {"yes"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	resp = submit(url.Values{"username": {"alice"}, "password": {"wonderland"}, "consent": {"no"}})
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Query().Get("error") != "access_denied" {
		t.Fatalf("denied consent: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = submit(url.Values{"username": {"alice"}, "password": {"wonderland"}, "consent": {"yes"}, "grant_scope": {"read"}})
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Path != "/callback" || loc.Query().Get("code") == "" {
		t.Fatalf("consent: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	status, tok := post(t, base+"/oauth2/token", "web", secret, url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {"http://127.0.0.1:1/callback"}, "code_verifier": {verifier},
	})
	if status != http.StatusOK || tok["refresh_token"] == nil || tok["scope"] != "read" {
		t.Fatalf("exchange: %d %v", status, tok)
	}
	status, intro := post(t, base+"/oauth2/introspect", "web", secret, url.Values{"token": {tok["access_token"].(string)}})
	if status != http.StatusOK || intro["sub"] != "alice" || intro["active"] != true {
		t.Fatalf("introspection: %d %v", status, intro)
	}
}

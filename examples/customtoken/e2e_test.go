package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"aidanwoods.dev/go-paseto"

	"github.com/oauthkit/oauthkit/compose"
)

// testbed is the authorization server and the resource server over loopback HTTP. The
// resource server's clock runs ahead of the real one by rsAhead, so a test can let its
// tokens expire.
type testbed struct {
	issuer, api string
	rsAhead     atomic.Int64 // a time.Duration
	client      *http.Client
}

func newTestbed(t *testing.T) *testbed {
	t.Helper()
	asTS := httptest.NewServer(nil) // the issuer must be known before the server exists
	t.Cleanup(asTS.Close)
	o := options{
		issuer: asTS.URL, audience: "api", kek: make([]byte, 32), open: true,
		now: time.Now, logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	_, _ = rand.Read(o.kek)
	as, err := newAuthServer(context.Background(), o)
	if err != nil {
		t.Fatalf("newAuthServer: %v", err)
	}
	t.Cleanup(func() { _ = as.Close() })
	asTS.Config.Handler = as

	b := &testbed{issuer: asTS.URL, client: asTS.Client()}
	o.now = func() time.Time { return time.Now().Add(time.Duration(b.rsAhead.Load())) }
	rs, err := newResourceServer(o, asTS.Client())
	if err != nil {
		t.Fatalf("newResourceServer: %v", err)
	}
	t.Cleanup(func() { _ = rs.Close() })
	rsTS := httptest.NewServer(rs)
	t.Cleanup(rsTS.Close)
	b.api = rsTS.URL
	return b
}

// register registers a client by RFC 7591, naming format in access_token_format unless it
// is empty, and returns its credentials.
func (b *testbed) register(t *testing.T, format string) (id, secret string) {
	t.Helper()
	md := map[string]any{"grant_types": []string{"client_credentials"}, "scope": "read write"}
	if format != "" {
		md["access_token_format"] = format
	}
	body, _ := json.Marshal(md)
	resp, err := b.client.Post(b.issuer+compose.PathRegister, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got struct {
		ClientID          string `json:"client_id"`
		ClientSecret      string `json:"client_secret"`
		AccessTokenFormat string `json:"access_token_format"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	if got.AccessTokenFormat != format {
		t.Fatalf("registered access_token_format %q, want %q", got.AccessTokenFormat, format)
	}
	return got.ClientID, got.ClientSecret
}

// post posts form to the authorization server as client id and decodes the JSON answer.
func (b *testbed) post(t *testing.T, path, id, secret string, form url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

func (b *testbed) token(t *testing.T, id, secret string) string {
	t.Helper()
	tok, _ := b.post(t, compose.PathToken, id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})["access_token"].(string)
	return tok
}

// hello calls the resource server with token and returns the status, the WWW-Authenticate
// challenge and the body.
func (b *testbed) hello(t *testing.T, token string) (int, string, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.api+"/hello", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := map[string]string{}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body
}

func TestPasetoTokenIssuedIntrospectedAndAcceptedByTheResourceServer(t *testing.T) {
	b := newTestbed(t)
	id, secret := b.register(t, FormatName)
	tok := b.token(t, id, secret)
	if !strings.HasPrefix(tok, "v4.public.") {
		t.Fatalf("a client registered with access_token_format %s got %q", FormatName, tok)
	}

	in := b.post(t, compose.PathIntrospect, id, secret, url.Values{"token": {tok}})
	if in["active"] != true || in["client_id"] != id || in["scope"] != "read" {
		t.Errorf("introspection = %v, want active for %s with scope read", in, id)
	}

	status, _, body := b.hello(t, tok)
	if status != http.StatusOK || body["client_id"] != id || body["scope"] != "read" {
		t.Errorf("resource server: %d %v, want 200 for %s", status, body, id)
	}

	b.post(t, compose.PathRevoke, id, secret, url.Values{"token": {tok}})
	if in := b.post(t, compose.PathIntrospect, id, secret, url.Values{"token": {tok}}); in["active"] != false {
		t.Errorf("introspection after revocation = %v, want inactive", in)
	}
}

func TestTheChainAcceptsTheDefaultJWTBesidePaseto(t *testing.T) {
	b := newTestbed(t)
	id, secret := b.register(t, "")
	tok := b.token(t, id, secret)
	if strings.HasPrefix(tok, "v4.") || strings.Count(tok, ".") != 2 {
		t.Fatalf("a client naming no format got %q, want the default JWT", tok)
	}
	if status, _, body := b.hello(t, tok); status != http.StatusOK || body["client_id"] != id {
		t.Errorf("resource server: %d %v, want 200 for %s", status, body, id)
	}
}

func TestResourceServerRefusesForgedAndExpiredPasetoTokens(t *testing.T) {
	b := newTestbed(t)
	id, secret := b.register(t, FormatName)
	tok := b.token(t, id, secret)

	// A token with the server's kid in its footer, signed by another key.
	footerStart := strings.LastIndexByte(tok, '.')
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	var kid footer
	raw, err := base64.RawURLEncoding.DecodeString(tok[footerStart+1:])
	if err != nil || json.Unmarshal(raw, &kid) != nil {
		t.Fatalf("footer of %q: %v", tok, err)
	}
	forgedSig, err := sign(&claims{
		Issuer: b.issuer, Audience: []string{"api"}, ClientID: id, JTI: "x",
		ExpiresAt: time.Now().Add(time.Hour),
	}, kid.KID, must(paseto.NewV4AsymmetricSecretKeyFromEd25519(other)))
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(tok)
	if i := footerStart - 3; flipped[i] == 'A' { // a character inside the signature
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}

	for _, tt := range []struct{ name, token string }{
		{"signed by another key", forgedSig},
		{"signature changed", string(flipped)},
		{"local purpose", "v4.local." + tok[len("v4.public."):]},
		{"no footer", tok[:footerStart]},
	} {
		status, challenge, _ := b.hello(t, tt.token)
		if status != http.StatusUnauthorized || !strings.Contains(challenge, `error="invalid_token"`) {
			t.Errorf("%s: %d %q, want 401 invalid_token", tt.name, status, challenge)
		}
	}

	if status, _, _ := b.hello(t, tok); status != http.StatusOK {
		t.Fatalf("the genuine token: %d, want 200", status)
	}
	b.rsAhead.Store(int64(2 * time.Hour))
	status, challenge, _ := b.hello(t, tok)
	if status != http.StatusUnauthorized || !strings.Contains(challenge, `error="invalid_token"`) {
		t.Errorf("expired: %d %q, want 401 invalid_token", status, challenge)
	}
}

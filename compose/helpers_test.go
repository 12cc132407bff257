package compose_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

// allFormats are the built-in formats every interop test runs with.
var allFormats = []string{
	compose.FormatOpaque, compose.FormatEncrypted, compose.FormatJWS,
	compose.FormatJWSStateless, compose.FormatJWTOnly, compose.FormatJWE,
}

// backends are the stores every interop test runs on.
func backends(*testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"memory": func(*testing.T) string { return "memory://" },
		"sqlite": func(t *testing.T) string {
			return "sqlite://" + filepath.Join(t.TempDir(), "oauthkit.db")
		},
	}
}

type testServer struct {
	*compose.Server
	URL    string
	HTTP   *httptest.Server
	Client *http.Client
}

// start composes a server on a loopback httptest server. The issuer must be known before
// New, so the listener starts first and the handler is set after.
func start(t testing.TB, storage, format string, mod func(*compose.Config)) *testServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	cfg := compose.Config{
		Issuer:        ts.URL,
		StorageURL:    storage,
		KEK:           kek,
		DefaultFormat: format,
		Login:         autoLogin,
		// The dummy bcrypt check for unknown clients at bcrypt's lowest cost: the tests
		// that present deleted or unknown clients are not about timing.
		SecretHashCost: 4,
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := compose.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("compose.New: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ts.Config.Handler = srv
	return &testServer{Server: srv, URL: ts.URL, HTTP: ts, Client: ts.Client()}
}

// autoLogin consents to everything as "alice" when the form says so, and otherwise shows a
// page, as a real login page would.
var autoLogin = compose.LoginFunc(func(w http.ResponseWriter, r *http.Request, req *compose.AuthorizeRequest) (*compose.Consent, error) {
	if r.Method == http.MethodPost && r.PostFormValue("user") != "" {
		return &compose.Consent{Subject: r.PostFormValue("user"), GrantedScopes: req.RequestedScopes}, nil
	}
	w.Header().Set("Content-Type", "text/html")
	_, _ = w.Write([]byte(`<form method="post"><input name="user"></form>`))
	return nil, nil
})

// addClient registers a confidential client with a generated secret and returns the secret.
func (s *testServer) addClient(t testing.TB, c provider.Client) string {
	t.Helper()
	secret, err := clientsecret.Generate()
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenEndpointAuthMethod == "" {
		c.TokenEndpointAuthMethod = provider.AuthClientSecretBasic
	}
	if c.TokenEndpointAuthMethod != provider.AuthNone && c.TokenEndpointAuthMethod != provider.AuthPrivateKeyJWT {
		if c.SecretHash, err = clientsecret.Hash(secret); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Store().CreateClient(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	return secret
}

func defaultClient(id string) provider.Client {
	return provider.Client{
		ID:            id,
		GrantTypes:    []string{"client_credentials", "authorization_code", "refresh_token"},
		ResponseTypes: []string{"code"},
		Scopes:        []string{"read", "write"},
		Audience:      []string{"api"},
		RedirectURIs:  []string{"http://127.0.0.1:9999/callback"},
	}
}

// postForm posts form to path with optional basic credentials and decodes the JSON answer.
func (s *testServer) postForm(t *testing.T, path, id, secret string, form url.Values) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
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
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body
}

// introspect returns the RFC 7662 answer for token, asked by the given client.
func (s *testServer) introspect(t *testing.T, id, secret, token string) map[string]any {
	t.Helper()
	resp, body := s.postForm(t, compose.PathIntrospect, id, secret, url.Values{"token": {token}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("introspect: status %d %v", resp.StatusCode, body)
	}
	return body
}

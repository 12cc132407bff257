package registration_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// ecJWKS is a public P-256 JWK Set.
const ecJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`

// ecPrivateJWKS is the same key with its private part.
const ecPrivateJWKS = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]}`

// fullOptions enables everything the server offers, with open registration.
func fullOptions() registration.Options {
	return registration.Options{
		GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials",
			"urn:ietf:params:oauth:grant-type:jwt-bearer"},
		AuthMethods:        []string{"client_secret_basic", "client_secret_post", "private_key_jwt", "none"},
		Scopes:             []string{"read", "write", "admin"},
		DefaultScopes:      []string{"read"},
		Audience:           []string{"api"},
		AccessTokenFormats: []string{"opaque", "jws"},
		Open:               true,
		Now:                func() time.Time { return testNow },
		Logger:             slog.New(slog.DiscardHandler),
	}
}

type env struct {
	srv   *httptest.Server
	store *memstore.Store
	h     *registration.Handler
	url   string // the registration endpoint
}

func newEnv(t *testing.T, opts registration.Options) *env {
	t.Helper()
	store := memstore.New(memstore.Options{Now: func() time.Time { return testNow }})
	t.Cleanup(func() { store.Close() })
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	h, err := registration.New(store, srv.URL+"/register", opts)
	if err != nil {
		t.Fatal(err)
	}
	h.Mount(mux)
	return &env{srv: srv, store: store, h: h, url: srv.URL + "/register"}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(t *testing.T, method, url, token, contentType, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %q", method, url, raw)
		}
	}
	return r
}

func (e *env) register(t *testing.T, body string) response {
	t.Helper()
	return e.do(t, http.MethodPost, e.url, "", "application/json", body)
}

func (r response) str(k string) string { s, _ := r.body[k].(string); return s }

func TestRegisterRefusesInvalidMetadataWithItsErrorCode(t *testing.T) {
	e := newEnv(t, fullOptions())
	tests := []struct {
		name string
		body string
		code string
	}{
		{"no redirect_uris for authorization_code", `{}`, "invalid_redirect_uri"},
		{"empty redirect_uris", `{"redirect_uris":[]}`, "invalid_redirect_uri"},
		{"relative redirect URI", `{"redirect_uris":["/cb"]}`, "invalid_redirect_uri"},
		{"redirect URI with fragment", `{"redirect_uris":["https://app.example/cb#x"]}`, "invalid_redirect_uri"},
		{"redirect URI with empty fragment", `{"redirect_uris":["https://app.example/cb#"]}`, "invalid_redirect_uri"},
		{"http redirect on a public host", `{"redirect_uris":["http://app.example/cb"]}`, "invalid_redirect_uri"},
		{"javascript redirect", `{"redirect_uris":["javascript:alert(1)"]}`, "invalid_redirect_uri"},
		{"data redirect", `{"redirect_uris":["data:text/html,x"]}`, "invalid_redirect_uri"},
		{"private scheme without a dot", `{"redirect_uris":["myapp:/cb"]}`, "invalid_redirect_uri"},
		{"https without host", `{"redirect_uris":["https:///cb"]}`, "invalid_redirect_uri"},
		{"redirect with space", `{"redirect_uris":["https://app.example/c b"]}`, "invalid_redirect_uri"},
		{"redirect with user info", `{"redirect_uris":["https://u:p@app.example/cb"]}`, "invalid_redirect_uri"},
		{"empty redirect URI", `{"redirect_uris":[""]}`, "invalid_redirect_uri"},
		{"duplicate redirect URI", `{"redirect_uris":["https://a.example/cb","https://a.example/cb"]}`, "invalid_redirect_uri"},
		{"redirect_uris not an array", `{"redirect_uris":"https://a.example/cb"}`, "invalid_client_metadata"},
		{"redirect_uris of numbers", `{"redirect_uris":[1]}`, "invalid_client_metadata"},
		{"unknown grant type", `{"grant_types":["urn:x:unknown"]}`, "invalid_client_metadata"},
		{"grant type not enabled", `{"grant_types":["password"]}`, "invalid_client_metadata"},
		{"implicit not enabled", `{"grant_types":["implicit"],"response_types":["token"],"redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata"},
		{"empty grant types", `{"grant_types":[],"response_types":[]}`, "invalid_client_metadata"},
		{"code without authorization_code", `{"grant_types":["client_credentials"],"response_types":["code"],"redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata"},
		{"authorization_code without code", `{"grant_types":["authorization_code"],"response_types":[],"redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata"},
		{"unknown response type", `{"response_types":["code id_token"],"redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata"},
		{"auth method not known", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_jwt"}`, "invalid_client_metadata"},
		{"auth method not a string", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":["none"]}`, "invalid_client_metadata"},
		{"public client with client_credentials", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}`, "invalid_client_metadata"},
		{"private_key_jwt without keys", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt"}`, "invalid_client_metadata"},
		{"jwks and jwks_uri", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":` + ecJWKS + `,"jwks_uri":"https://a.example/jwks"}`, "invalid_client_metadata"},
		{"jwks with a private key", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":` + ecPrivateJWKS + `}`, "invalid_client_metadata"},
		{"jwks with a symmetric key", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}]}}`, "invalid_client_metadata"},
		{"jwks without keys", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[]}}`, "invalid_client_metadata"},
		{"jwks not an object", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":"x"}`, "invalid_client_metadata"},
		{"jwks with a broken key", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}}`, "invalid_client_metadata"},
		{"jwks_uri over http", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://a.example/jwks"}`, "invalid_client_metadata"},
		{"jwks_uri relative", `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"/jwks"}`, "invalid_client_metadata"},
		{"scope not allowed", `{"grant_types":["client_credentials"],"scope":"read delete"}`, "invalid_client_metadata"},
		{"scope not a string", `{"grant_types":["client_credentials"],"scope":["read"]}`, "invalid_client_metadata"},
		{"scope with a quote", `{"grant_types":["client_credentials"],"scope":"re\"ad"}`, "invalid_client_metadata"},
		{"access token format not enabled", `{"grant_types":["client_credentials"],"access_token_format":"jwe"}`, "invalid_client_metadata"},
		{"access token format not a string", `{"grant_types":["client_credentials"],"access_token_format":1}`, "invalid_client_metadata"},
		{"client_uri javascript", `{"grant_types":["client_credentials"],"client_uri":"javascript:alert(1)"}`, "invalid_client_metadata"},
		{"logo_uri with language tag relative", `{"grant_types":["client_credentials"],"logo_uri#fr":"/logo.png"}`, "invalid_client_metadata"},
		{"contacts not strings", `{"grant_types":["client_credentials"],"contacts":[{"a":1}]}`, "invalid_client_metadata"},
		{"client_name not a string", `{"grant_types":["client_credentials"],"client_name":5}`, "invalid_client_metadata"},
		{"not an object", `[]`, "invalid_request"},
		{"not JSON", `client_name=x`, "invalid_request"},
		{"two objects", `{"grant_types":["client_credentials"]} {}`, "invalid_request"},
		{"trailing garbage", `{"grant_types":["client_credentials"]} }`, "invalid_request"},
		{"JSON null", `null`, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.register(t, tt.body)
			if r.status != http.StatusBadRequest || r.str("error") != tt.code {
				t.Fatalf("status %d, body %s; want 400 %s", r.status, r.raw, tt.code)
			}
			if r.str("error_description") == "" {
				t.Error("no error_description")
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
	if got, _ := e.store.ListClients(context.Background(), "", 0); len(got) != 0 {
		t.Fatalf("%d clients stored by refused registrations", len(got))
	}
}

func TestRegisterStoresValidatedMetadataAndOnlyHashes(t *testing.T) {
	e := newEnv(t, fullOptions())
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, c *provider.Client, r response)
	}{
		{"defaults: authorization_code, code, client_secret_basic, default scope",
			`{"redirect_uris":["https://app.example/cb"]}`,
			func(t *testing.T, c *provider.Client, r response) {
				want(t, "grant types", c.GrantTypes, []string{"authorization_code"})
				want(t, "response types", c.ResponseTypes, []string{"code"})
				want(t, "scopes", c.Scopes, []string{"read"})
				if c.TokenEndpointAuthMethod != "client_secret_basic" || r.str("client_secret") == "" {
					t.Errorf("method %q, secret issued %v", c.TokenEndpointAuthMethod, r.str("client_secret") != "")
				}
			}},
		{"client_credentials gets no response type and needs no redirect",
			`{"grant_types":["client_credentials"],"scope":"read write read","client_name":"batch"}`,
			func(t *testing.T, c *provider.Client, r response) {
				want(t, "response types", c.ResponseTypes, []string{})
				want(t, "scopes", c.Scopes, []string{"read", "write"})
				if c.Name != "batch" || r.str("scope") != "read write" {
					t.Errorf("name %q scope %q", c.Name, r.str("scope"))
				}
			}},
		{"grant types default from response types",
			`{"response_types":["code"],"redirect_uris":["http://127.0.0.1:9000/cb"]}`,
			func(t *testing.T, c *provider.Client, r response) {
				want(t, "grant types", c.GrantTypes, []string{"authorization_code"})
			}},
		{"native public client with private-use scheme and loopback",
			`{"token_endpoint_auth_method":"none","redirect_uris":["com.example.app:/oauth2redirect","http://[::1]:8080/cb","http://localhost/cb"]}`,
			func(t *testing.T, c *provider.Client, r response) {
				if c.SecretHash != "" || r.str("client_secret") != "" {
					t.Error("a public client got a secret")
				}
				if _, ok := r.body["client_secret_expires_at"]; ok {
					t.Error("client_secret_expires_at sent without a secret")
				}
			}},
		{"private_key_jwt with jwks gets no secret",
			`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":` + ecJWKS + `}`,
			func(t *testing.T, c *provider.Client, r response) {
				if c.SecretHash != "" || r.str("client_secret") != "" {
					t.Error("a private_key_jwt client got a secret")
				}
				if !json.Valid(c.JWKS) || !strings.Contains(string(c.JWKS), `"kid":"k1"`) {
					t.Errorf("JWKS = %s", c.JWKS)
				}
			}},
		{"private_key_jwt with jwks_uri",
			`{"grant_types":["urn:ietf:params:oauth:grant-type:jwt-bearer"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://app.example/jwks.json"}`,
			func(t *testing.T, c *provider.Client, r response) {
				if c.JWKSURI != "https://app.example/jwks.json" || r.str("jwks_uri") != c.JWKSURI {
					t.Errorf("jwks_uri %q / %q", c.JWKSURI, r.str("jwks_uri"))
				}
			}},
		{"access token format extension",
			`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_post","access_token_format":"jws"}`,
			func(t *testing.T, c *provider.Client, r response) {
				if c.AccessTokenFormat != "jws" || r.str("access_token_format") != "jws" {
					t.Errorf("format %q", c.AccessTokenFormat)
				}
			}},
		{"unknown members kept, server members and software statement dropped",
			`{"grant_types":["client_credentials"],"x_team":{"id":7},"client_uri":"https://app.example","contacts":["ops@app.example"],"client_name#fr":"lot",` +
				`"software_statement":"eyJhbGciOiJub25lIn0.e30.","client_secret":"chosen-by-client-0123456789abcdefghijkl","client_id":"mine","client_id_issued_at":1,"registration_access_token":"x"}`,
			func(t *testing.T, c *provider.Client, r response) {
				var kept map[string]json.RawMessage
				if err := json.Unmarshal(c.Metadata, &kept); err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"x_team", "client_uri", "contacts", "client_name#fr"} {
					if _, ok := kept[k]; !ok {
						t.Errorf("%s not kept", k)
					}
				}
				for _, k := range []string{"software_statement", "client_secret", "client_id", "client_id_issued_at", "registration_access_token"} {
					if _, ok := kept[k]; ok {
						t.Errorf("%s stored in Metadata", k)
					}
				}
				if c.ID == "mine" || clientsecret.Verify(c.SecretHash, "chosen-by-client-0123456789abcdefghijkl") == nil {
					t.Error("the client chose its own id or secret")
				}
				if _, ok := r.body["x_team"]; !ok {
					t.Error("x_team not returned")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.register(t, tt.body)
			if r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			id := r.str("client_id")
			c, err := e.store.Client(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if r.body["client_id_issued_at"] != float64(testNow.Unix()) {
				t.Errorf("client_id_issued_at = %v", r.body["client_id_issued_at"])
			}
			if r.str("registration_client_uri") != e.url+"/"+id {
				t.Errorf("registration_client_uri = %q", r.str("registration_client_uri"))
			}
			want(t, "audience", c.Audience, []string{"api"})
			if secret := r.str("client_secret"); secret != "" {
				if c.SecretHash == secret || !strings.HasPrefix(c.SecretHash, "sha256$") {
					t.Error("secret not stored as a sha256 hash")
				}
				if err := clientsecret.Verify(c.SecretHash, secret); err != nil {
					t.Errorf("stored hash does not verify the issued secret: %v", err)
				}
				if r.body["client_secret_expires_at"] != float64(0) {
					t.Errorf("client_secret_expires_at = %v, want 0", r.body["client_secret_expires_at"])
				}
			}
			tok := r.str("registration_access_token")
			if tok == "" || c.RegistrationTokenHash == tok || clientsecret.Verify(c.RegistrationTokenHash, tok) != nil {
				t.Error("registration access token missing or not stored as its hash")
			}
			tt.check(t, c, r)
		})
	}
}

func want(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) || (got == nil) != (want == nil) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestRegisterReadUpdateDeleteCycle(t *testing.T) {
	e := newEnv(t, fullOptions())
	r := e.register(t, `{"redirect_uris":["https://app.example/cb"],"client_name":"app","x_note":"kept"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	id, secret, tok, uri := r.str("client_id"), r.str("client_secret"), r.str("registration_access_token"), r.str("registration_client_uri")

	got := e.do(t, http.MethodGet, uri, tok, "", "")
	if got.status != http.StatusOK || got.str("client_id") != id || got.str("client_name") != "app" || got.str("x_note") != "kept" {
		t.Fatalf("read: %d %s", got.status, got.raw)
	}
	if got.str("client_secret") != "" {
		t.Error("read returned the client secret")
	}
	if got.str("registration_access_token") != tok || got.str("registration_client_uri") != uri {
		t.Error("read did not return the registration access token and client URI (RFC 7592 §3)")
	}

	// Update: replace the metadata; x_note is omitted and so deleted (RFC 7592 §2.2).
	upd := fmt.Sprintf(`{"client_id":%q,"client_secret":%q,"redirect_uris":["https://app.example/cb2"],"grant_types":["authorization_code","refresh_token"],"client_name":"app v2","scope":"read write","registration_access_token":"ignored","client_id_issued_at":5}`, id, secret)
	u := e.do(t, http.MethodPut, uri, tok, "application/json", upd)
	if u.status != http.StatusOK {
		t.Fatalf("update: %d %s", u.status, u.raw)
	}
	if u.str("client_secret") != "" {
		t.Error("update re-sent the unchanged secret")
	}
	c, err := e.store.Client(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	want(t, "redirect URIs", c.RedirectURIs, []string{"https://app.example/cb2"})
	want(t, "grant types", c.GrantTypes, []string{"authorization_code", "refresh_token"})
	want(t, "scopes", c.Scopes, []string{"read", "write"})
	if c.Name != "app v2" || strings.Contains(string(c.Metadata), "x_note") {
		t.Errorf("name %q metadata %s", c.Name, c.Metadata)
	}
	if clientsecret.Verify(c.SecretHash, secret) != nil || clientsecret.Verify(c.RegistrationTokenHash, tok) != nil {
		t.Error("update changed the secret or the registration token")
	}
	if !c.CreatedAt.Equal(testNow) || u.body["client_id_issued_at"] != float64(testNow.Unix()) {
		t.Errorf("update changed client_id_issued_at: %v", u.body["client_id_issued_at"])
	}

	d := e.do(t, http.MethodDelete, uri, tok, "", "")
	if d.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", d.status, d.raw)
	}
	if _, err := e.store.Client(context.Background(), id); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("client still stored after delete: %v", err)
	}
	again := e.do(t, http.MethodGet, uri, tok, "", "")
	if again.status != http.StatusUnauthorized || again.str("error") != "invalid_token" {
		t.Fatalf("read after delete: %d %s; want 401 invalid_token", again.status, again.raw)
	}
}

func TestUpdateCannotChangeClientIDOrChooseSecret(t *testing.T) {
	e := newEnv(t, fullOptions())
	r := e.register(t, `{"grant_types":["client_credentials"]}`)
	id, tok, uri := r.str("client_id"), r.str("registration_access_token"), r.str("registration_client_uri")
	tests := []struct {
		name string
		body string
	}{
		{"missing client_id", `{"grant_types":["client_credentials"]}`},
		{"other client_id", `{"client_id":"someone-else","grant_types":["client_credentials"]}`},
		{"chosen secret", fmt.Sprintf(`{"client_id":%q,"client_secret":"my-own-secret-0123456789abcdefghijklmn","grant_types":["client_credentials"]}`, id)},
		{"invalid metadata", fmt.Sprintf(`{"client_id":%q,"grant_types":["password"]}`, id)},
	}
	before, _ := e.store.Client(context.Background(), id)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := e.do(t, http.MethodPut, uri, tok, "application/json", tt.body)
			if u.status != http.StatusBadRequest || u.str("error") != "invalid_client_metadata" {
				t.Fatalf("%d %s; want 400 invalid_client_metadata", u.status, u.raw)
			}
			after, _ := e.store.Client(context.Background(), id)
			if after.SecretHash != before.SecretHash || !slices.Equal(after.GrantTypes, before.GrantTypes) {
				t.Fatal("a refused update changed the client")
			}
		})
	}
}

func TestUpdateIssuesSecretOnlyWhenSwitchingToSecretMethod(t *testing.T) {
	e := newEnv(t, fullOptions())
	r := e.register(t, `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":`+ecJWKS+`}`)
	id, tok, uri := r.str("client_id"), r.str("registration_access_token"), r.str("registration_client_uri")

	u := e.do(t, http.MethodPut, uri, tok, "application/json", fmt.Sprintf(`{"client_id":%q,"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_basic"}`, id))
	secret := u.str("client_secret")
	if u.status != http.StatusOK || secret == "" {
		t.Fatalf("switch to client_secret_basic: %d %s; want a new secret", u.status, u.raw)
	}
	c, _ := e.store.Client(context.Background(), id)
	if clientsecret.Verify(c.SecretHash, secret) != nil || len(c.JWKS) != 0 {
		t.Fatal("new secret not stored, or jwks not removed by the replacing update")
	}

	u = e.do(t, http.MethodPut, uri, tok, "application/json", fmt.Sprintf(`{"client_id":%q,"grant_types":["authorization_code"],"redirect_uris":["com.example.app:/cb"],"token_endpoint_auth_method":"none"}`, id))
	if u.status != http.StatusOK || u.str("client_secret") != "" {
		t.Fatalf("switch to none: %d %s", u.status, u.raw)
	}
	c, _ = e.store.Client(context.Background(), id)
	if c.SecretHash != "" {
		t.Fatal("a public client kept a secret hash")
	}
}

func TestManagementRefusesWrongOrMissingRegistrationToken(t *testing.T) {
	e := newEnv(t, fullOptions())
	a := e.register(t, `{"grant_types":["client_credentials"]}`)
	b := e.register(t, `{"grant_types":["client_credentials"]}`)
	// A client created outside registration has no registration token and cannot be managed.
	if err := e.store.CreateClient(context.Background(), &provider.Client{ID: "static", TokenEndpointAuthMethod: "none"}); err != nil {
		t.Fatal(err)
	}
	uri := a.str("registration_client_uri")
	tests := []struct {
		name, url, auth string
	}{
		{"no Authorization", uri, ""},
		{"wrong token", uri, "Bearer " + strings.Repeat("A", 43)},
		{"another client's token", uri, "Bearer " + b.str("registration_access_token")},
		{"token of this client with Basic scheme", uri, "Basic " + a.str("registration_access_token")},
		{"empty bearer", uri, "Bearer "},
		{"unknown client", e.url + "/nobody", "Bearer " + a.str("registration_access_token")},
		{"client without registration token", e.url + "/static", "Bearer " + a.str("registration_access_token")},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			t.Run(tt.name+" "+method, func(t *testing.T) {
				req, _ := http.NewRequest(method, tt.url, strings.NewReader(`{}`))
				req.Header.Set("Content-Type", "application/json")
				if tt.auth != "" {
					req.Header.Set("Authorization", tt.auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("%d %q %s; want 401 with a Bearer challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
				}
				if !strings.Contains(string(body), `"invalid_token"`) {
					t.Fatalf("body %s, want invalid_token", body)
				}
			})
		}
	}
	if _, err := e.store.Client(context.Background(), a.str("client_id")); err != nil {
		t.Fatalf("client a gone after refused requests: %v", err)
	}
}

func TestInitialAccessTokenRequiredOrRefused(t *testing.T) {
	iat := strings.Repeat("i", 43)
	hash, err := clientsecret.Hash(iat)
	if err != nil {
		t.Fatal(err)
	}
	opts := fullOptions()
	opts.Open = false
	opts.InitialAccessTokens = []string{hash}
	e := newEnv(t, opts)
	body := `{"grant_types":["client_credentials"]}`
	tests := []struct {
		name, token string
		status      int
		challenge   string
	}{
		{"missing", "", http.StatusUnauthorized, "Bearer"},
		{"wrong", strings.Repeat("j", 43), http.StatusUnauthorized, `Bearer error="invalid_token"`},
		{"right", iat, http.StatusCreated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, http.MethodPost, e.url, tt.token, "application/json", body)
			if r.status != tt.status || r.header.Get("WWW-Authenticate") != tt.challenge {
				t.Fatalf("%d %q %s; want %d %q", r.status, r.header.Get("WWW-Authenticate"), r.raw, tt.status, tt.challenge)
			}
		})
	}
	// The registration access token of the new client is not an initial access token.
	r := e.do(t, http.MethodPost, e.url, iat, "application/json", body)
	if r2 := e.do(t, http.MethodPost, e.url, r.str("registration_access_token"), "application/json", body); r2.status != http.StatusUnauthorized {
		t.Fatalf("registration access token accepted as initial access token: %d", r2.status)
	}
}

func TestRequestsWithBadBodiesGetJSONErrors(t *testing.T) {
	opts := fullOptions()
	opts.MaxBodyBytes = 1024
	e := newEnv(t, opts)
	big := `{"grant_types":["client_credentials"],"x":"` + strings.Repeat("a", 2000) + `"}`
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		code                            string
	}{
		{"oversized", http.MethodPost, "", "application/json", big, http.StatusRequestEntityTooLarge, "invalid_request"},
		{"form content type", http.MethodPost, "", "application/x-www-form-urlencoded", `{}`, http.StatusBadRequest, "invalid_request"},
		{"no content type", http.MethodPost, "", "", `{}`, http.StatusBadRequest, "invalid_request"},
		{"json with charset", http.MethodPost, "", "application/json; charset=utf-8", `{"grant_types":["client_credentials"]}`, http.StatusCreated, ""},
		{"empty body", http.MethodPost, "", "application/json", ``, http.StatusBadRequest, "invalid_request"},
		{"GET on registration endpoint", http.MethodGet, "", "", ``, http.StatusMethodNotAllowed, "invalid_request"},
		{"POST on a client", http.MethodPost, "/x", "application/json", `{}`, http.StatusMethodNotAllowed, "invalid_request"},
		{"nested path", http.MethodGet, "/x/y", "", ``, http.StatusNotFound, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.method, e.url+tt.path, "", tt.ctype, tt.body)
			if r.status != tt.status || r.str("error") != tt.code {
				t.Fatalf("%d %s; want %d %q", r.status, r.raw, tt.status, tt.code)
			}
		})
	}
}

func TestConcurrentRegistrationsGetDistinctClients(t *testing.T) {
	e := newEnv(t, fullOptions())
	const n = 64
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, e.url, strings.NewReader(`{"grant_types":["client_credentials"]}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			ids[i], _ = body["client_id"].(string)
		}()
	}
	wg.Wait()
	slices.Sort(ids)
	if len(slices.Compact(ids)) != n || ids[0] == "" {
		t.Fatalf("%d distinct ids of %d", len(slices.Compact(ids)), n)
	}
	got, err := e.store.ListClients(context.Background(), "", 1000)
	if err != nil || len(got) != n {
		t.Fatalf("%d clients stored (%v), want %d", len(got), err, n)
	}
}

func TestNewRefusesBadOptionsNamingTheField(t *testing.T) {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	tests := []struct {
		name     string
		endpoint string
		change   func(o *registration.Options)
		field    string
	}{
		{"neither open nor tokens", "https://as.example/register", func(o *registration.Options) { o.Open = false }, "Options.Open"},
		{"both open and tokens", "https://as.example/register", func(o *registration.Options) {
			h, _ := clientsecret.Hash(strings.Repeat("i", 43))
			o.InitialAccessTokens = []string{h}
		}, "exclusive"},
		{"initial token in clear", "https://as.example/register", func(o *registration.Options) {
			o.Open = false
			o.InitialAccessTokens = []string{"plain-token"}
		}, "Options.InitialAccessTokens[0]"},
		{"unknown grant", "https://as.example/register", func(o *registration.Options) { o.GrantTypes = []string{"magic"} }, "Options.GrantTypes"},
		{"empty grant list", "https://as.example/register", func(o *registration.Options) { o.GrantTypes = []string{} }, "Options.GrantTypes"},
		{"empty auth method list", "https://as.example/register", func(o *registration.Options) { o.AuthMethods = []string{} }, "Options.AuthMethods"},
		{"client_secret_jwt", "https://as.example/register", func(o *registration.Options) { o.AuthMethods = []string{"client_secret_jwt"} }, "Options.AuthMethods"},
		{"default scope not allowed", "https://as.example/register", func(o *registration.Options) { o.DefaultScopes = []string{"root"} }, "Options.DefaultScopes"},
		{"bad scope token", "https://as.example/register", func(o *registration.Options) { o.Scopes = []string{"a b"} }, "Options.Scopes"},
		{"negative body limit", "https://as.example/register", func(o *registration.Options) { o.MaxBodyBytes = -1 }, "Options.MaxBodyBytes"},
		{"http endpoint", "http://as.example/register", func(o *registration.Options) {}, "endpoint"},
		{"relative endpoint", "/register", func(o *registration.Options) {}, "endpoint"},
		{"endpoint without path", "https://as.example", func(o *registration.Options) {}, "endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := fullOptions()
			tt.change(&o)
			_, err := registration.New(store, tt.endpoint, o)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("New = %v, want an error naming %s", err, tt.field)
			}
		})
	}
	if _, err := registration.New(nil, "https://as.example/register", fullOptions()); err == nil {
		t.Fatal("New accepted a nil store")
	}
}

func TestZeroOptionsAllowOnlyAuthorizationCodeWithSecrets(t *testing.T) {
	e := newEnv(t, registration.Options{Open: true, Logger: slog.New(slog.DiscardHandler)})
	for _, tt := range []struct {
		body   string
		status int
	}{
		{`{"redirect_uris":["https://a.example/cb"]}`, http.StatusCreated},
		{`{"redirect_uris":["https://a.example/cb"],"grant_types":["authorization_code","refresh_token"]}`, http.StatusCreated},
		{`{"grant_types":["client_credentials"]}`, http.StatusBadRequest},
		{`{"redirect_uris":["https://a.example/cb"],"token_endpoint_auth_method":"none"}`, http.StatusBadRequest},
		{`{"redirect_uris":["https://a.example/cb"],"scope":"read"}`, http.StatusBadRequest},
		{`{"redirect_uris":["https://a.example/cb"],"access_token_format":"opaque"}`, http.StatusBadRequest},
	} {
		if r := e.register(t, tt.body); r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.body, r.status, r.raw, tt.status)
		}
	}
}

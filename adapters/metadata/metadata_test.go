package metadata_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/adapters/metadata"
)

// full returns a document for a server with every endpoint oauthkit offers.
func full() metadata.Metadata {
	return metadata.Metadata{
		Issuer:                            "https://as.example.com",
		AuthorizationEndpoint:             "https://as.example.com/authorize",
		TokenEndpoint:                     "https://as.example.com/token",
		JWKSURI:                           "https://as.example.com/jwks.json",
		RegistrationEndpoint:              "https://as.example.com/register",
		ScopesSupported:                   []string{"read", "write"},
		ResponseTypesSupported:            []string{"code"},
		GrantTypesSupported:               []string{"authorization_code", "client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"},
		TokenEndpointAuthSigningAlgValuesSupported: []string{"ES256", "RS256"},
		RevocationEndpoint:                         "https://as.example.com/revoke",
		RevocationEndpointAuthMethodsSupported:     []string{"client_secret_basic"},
		IntrospectionEndpoint:                      "https://as.example.com/introspect",
		IntrospectionEndpointAuthMethodsSupported:  []string{"client_secret_basic"},
		CodeChallengeMethodsSupported:              []string{"S256"},
	}
}

func TestValidateRefusesWhatRFC8414Forbids(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *metadata.Metadata)
		field  string // the JSON name the error must mention; "" means valid
	}{
		{"complete document", func(m *metadata.Metadata) {}, ""},
		{"loopback http issuer", func(m *metadata.Metadata) { m.Issuer = "http://127.0.0.1:8080" }, ""},
		{"localhost http issuer", func(m *metadata.Metadata) { m.Issuer = "http://localhost:8080/x" }, ""},
		{"ipv6 loopback issuer", func(m *metadata.Metadata) { m.Issuer = "http://[::1]:8080" }, ""},
		{"client_credentials only", func(m *metadata.Metadata) {
			m.AuthorizationEndpoint = ""
			m.GrantTypesSupported = []string{"client_credentials"}
			m.ResponseTypesSupported = []string{}
			m.CodeChallengeMethodsSupported = nil
		}, ""},
		{"empty issuer", func(m *metadata.Metadata) { m.Issuer = "" }, "issuer"},
		{"http issuer on a public host", func(m *metadata.Metadata) { m.Issuer = "http://as.example.com" }, "issuer"},
		{"issuer with query", func(m *metadata.Metadata) { m.Issuer = "https://as.example.com?tenant=1" }, "issuer"},
		{"issuer with empty query", func(m *metadata.Metadata) { m.Issuer = "https://as.example.com?" }, "issuer"},
		{"issuer with fragment", func(m *metadata.Metadata) { m.Issuer = "https://as.example.com#x" }, "issuer"},
		{"relative issuer", func(m *metadata.Metadata) { m.Issuer = "/as" }, "issuer"},
		{"issuer with user info", func(m *metadata.Metadata) { m.Issuer = "https://u:p@as.example.com" }, "issuer"},
		{"ftp issuer", func(m *metadata.Metadata) { m.Issuer = "ftp://as.example.com" }, "issuer"},
		{"token endpoint over http", func(m *metadata.Metadata) { m.TokenEndpoint = "http://as.example.com/token" }, "token_endpoint"},
		{"token endpoint with fragment", func(m *metadata.Metadata) { m.TokenEndpoint = "https://as.example.com/token#f" }, "token_endpoint"},
		{"relative jwks_uri", func(m *metadata.Metadata) { m.JWKSURI = "/jwks.json" }, "jwks_uri"},
		{"javascript service documentation", func(m *metadata.Metadata) { m.ServiceDocumentation = "javascript:alert(1)" }, "service_documentation"},
		{"no grant types", func(m *metadata.Metadata) { m.GrantTypesSupported = nil }, "grant_types_supported"},
		{"nil response types", func(m *metadata.Metadata) { m.ResponseTypesSupported = nil }, "response_types_supported"},
		{"authorization_code without authorization endpoint", func(m *metadata.Metadata) { m.AuthorizationEndpoint = "" }, "authorization_endpoint"},
		{"authorization_code without code response type", func(m *metadata.Metadata) { m.ResponseTypesSupported = []string{} }, "response_types_supported"},
		{"code response type without authorization_code", func(m *metadata.Metadata) {
			m.GrantTypesSupported = []string{"implicit"}
			m.ResponseTypesSupported = []string{"code", "token"}
		}, "grant_types_supported"},
		{"response types without an authorization grant", func(m *metadata.Metadata) {
			m.GrantTypesSupported = []string{"client_credentials"}
		}, "response_types_supported"},
		{"authorization_code without PKCE", func(m *metadata.Metadata) { m.CodeChallengeMethodsSupported = nil }, "code_challenge_methods_supported"},
		{"plain PKCE", func(m *metadata.Metadata) { m.CodeChallengeMethodsSupported = []string{"S256", "plain"} }, "code_challenge_methods_supported"},
		{"no token endpoint", func(m *metadata.Metadata) { m.TokenEndpoint = "" }, "token_endpoint"},
		{"no token auth methods", func(m *metadata.Metadata) { m.TokenEndpointAuthMethodsSupported = nil }, "token_endpoint_auth_methods_supported"},
		{"private_key_jwt without algorithms", func(m *metadata.Metadata) { m.TokenEndpointAuthSigningAlgValuesSupported = nil }, "token_endpoint_auth_signing_alg_values_supported"},
		{"alg none", func(m *metadata.Metadata) { m.TokenEndpointAuthSigningAlgValuesSupported = []string{"ES256", "none"} }, "token_endpoint_auth_signing_alg_values_supported"},
		{"revocation endpoint without auth methods", func(m *metadata.Metadata) { m.RevocationEndpointAuthMethodsSupported = nil }, "revocation_endpoint_auth_methods_supported"},
		{"introspection endpoint without auth methods", func(m *metadata.Metadata) { m.IntrospectionEndpointAuthMethodsSupported = nil }, "introspection_endpoint_auth_methods_supported"},
		{"duplicate scope", func(m *metadata.Metadata) { m.ScopesSupported = []string{"read", "read"} }, "scopes_supported"},
		{"scope with a space", func(m *metadata.Metadata) { m.ScopesSupported = []string{"read write"} }, "scopes_supported"},
		{"empty scope", func(m *metadata.Metadata) { m.ScopesSupported = []string{""} }, "scopes_supported"},
		{"extra shadowing a standard member", func(m *metadata.Metadata) {
			m.Extra = map[string]json.RawMessage{"issuer": json.RawMessage(`"https://evil.example"`)}
		}, "issuer"},
		{"extra with invalid JSON", func(m *metadata.Metadata) {
			m.Extra = map[string]json.RawMessage{"x_formats": json.RawMessage(`[`)}
		}, "x_formats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := full()
			tt.change(&m)
			err := m.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want an error naming %s", tt.field)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Validate = %q, want it to name %s", err, tt.field)
			}
			if _, err := metadata.NewHandler(m, metadata.Options{}); err == nil {
				t.Fatal("NewHandler accepted a document Validate refuses")
			}
		})
	}
}

func TestWellKnownURLInsertsSuffixBeforeIssuerPath(t *testing.T) {
	tests := []struct {
		issuer, url, path string
	}{
		{"https://as.example.com", "https://as.example.com/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server"},
		{"https://as.example.com/", "https://as.example.com/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server"},
		{"https://as.example.com/issuer1", "https://as.example.com/.well-known/oauth-authorization-server/issuer1", "/.well-known/oauth-authorization-server/issuer1"},
		{"https://as.example.com/t/a/", "https://as.example.com/.well-known/oauth-authorization-server/t/a", "/.well-known/oauth-authorization-server/t/a"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server"},
	}
	for _, tt := range tests {
		u, err := metadata.WellKnownURL(tt.issuer)
		if err != nil || u != tt.url {
			t.Errorf("WellKnownURL(%q) = %q, %v; want %q", tt.issuer, u, err, tt.url)
		}
		p, err := metadata.WellKnownPath(tt.issuer)
		if err != nil || p != tt.path {
			t.Errorf("WellKnownPath(%q) = %q, %v; want %q", tt.issuer, p, err, tt.path)
		}
	}
	for _, bad := range []string{"", "https://as.example.com?x", "http://as.example.com", "as.example.com"} {
		if _, err := metadata.WellKnownURL(bad); err == nil {
			t.Errorf("WellKnownURL(%q) = nil error, want one", bad)
		}
	}
}

func TestHandlerServesTheDocumentWithCaching(t *testing.T) {
	m := full()
	m.Extra = map[string]json.RawMessage{"access_token_formats_supported": json.RawMessage(`["opaque","jws"]`)}
	h, err := metadata.NewHandler(m, metadata.Options{MaxAge: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	path, _ := metadata.WellKnownPath(m.Issuer)
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=600" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"issuer":                           m.Issuer,
		"token_endpoint":                   m.TokenEndpoint,
		"jwks_uri":                         m.JWKSURI,
		"registration_endpoint":            m.RegistrationEndpoint,
		"code_challenge_methods_supported": "[S256]",
		"grant_types_supported":            "[authorization_code client_credentials refresh_token urn:ietf:params:oauth:grant-type:jwt-bearer]",
		"access_token_formats_supported":   "[opaque jws]",
	} {
		if s := toString(got[k]); s != want {
			t.Errorf("%s = %s, want %s", k, s, want)
		}
	}
	if _, ok := got["Extra"]; ok {
		t.Error("the Extra field itself was serialized")
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET status = %d, want 304", resp2.StatusCode)
	}

	resp3, err := http.Post(srv.URL+path, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp3.Body.Close()
	if resp3.StatusCode != http.StatusMethodNotAllowed || resp3.Header.Get("Allow") == "" {
		t.Errorf("POST status = %d, Allow = %q; want 405 with Allow", resp3.StatusCode, resp3.Header.Get("Allow"))
	}
}

func TestHandlerOmitsUnsetMembersButAlwaysWritesResponseTypes(t *testing.T) {
	m := metadata.Metadata{
		Issuer:                            "https://as.example.com",
		TokenEndpoint:                     "https://as.example.com/token",
		GrantTypesSupported:               []string{"client_credentials"},
		ResponseTypesSupported:            []string{},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
	}
	h, err := metadata.NewHandler(m, metadata.Options{MaxAge: -1})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-authorization-server", nil))
	var got map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if string(got["response_types_supported"]) != "[]" {
		t.Errorf("response_types_supported = %s, want []", got["response_types_supported"])
	}
	for _, k := range []string{"authorization_endpoint", "jwks_uri", "code_challenge_methods_supported", "scopes_supported"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s written though unset", k)
		}
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", cc)
	}
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		s := make([]string, len(v))
		for i, e := range v {
			s[i] = toString(e)
		}
		return "[" + strings.Join(s, " ") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

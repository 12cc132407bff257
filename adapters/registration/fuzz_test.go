package registration_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

// FuzzRegister posts arbitrary bodies to the registration endpoint. It must never panic,
// must answer 201, 400 or 413 with a JSON body, and a client it accepts must satisfy the
// server's policy: enabled grant types only, safe redirect URIs, only hashes stored.
func FuzzRegister(f *testing.F) {
	for _, s := range []string{
		`{"redirect_uris":["https://app.example/cb"]}`,
		`{"grant_types":["client_credentials"],"scope":"read write","access_token_format":"jws"}`,
		`{"token_endpoint_auth_method":"none","redirect_uris":["com.example.app:/cb","http://127.0.0.1:1/cb"]}`,
		`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks":` + ecJWKS + `}`,
		`{"grant_types":["client_credentials"],"x":{"y":[1,2,null]},"client_name#de":"z","logo_uri":"https://a.example/l.png"}`,
		`{"redirect_uris":["javascript:x"]}`,
		`{"redirect_uris":null,"grant_types":null}`,
		`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://app.example/jwks"}`,
		`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"https://169.254.169.254/latest"}`,
		`{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://127.0.0.1:6379/"}`,
		`[1,2]`,
		`{"a":`,
		``,
	} {
		f.Add(s)
	}
	store := memstore.New(memstore.Options{})
	defer store.Close()
	opts := fullOptions()
	h, err := registration.New(store, "https://as.example/register", opts)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var resp map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d, body not JSON: %q", rec.Code, rec.Body.String())
		}
		switch rec.Code {
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if resp["error"] == nil {
				t.Fatalf("error response without error member: %s", rec.Body.String())
			}
			return
		case http.StatusCreated:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		id, _ := resp["client_id"].(string)
		c, err := store.Client(context.Background(), id)
		if err != nil {
			t.Fatalf("accepted client not stored: %v", err)
		}
		defer store.DeleteClient(context.Background(), id) // keep the store small over millions of inputs
		for _, g := range c.GrantTypes {
			if !slices.Contains(opts.GrantTypes, g) {
				t.Fatalf("grant type %q stored though not enabled", g)
			}
		}
		for _, raw := range c.RedirectURIs {
			u, err := url.Parse(raw)
			if err != nil || u.Fragment != "" || strings.Contains(raw, "#") {
				t.Fatalf("redirect URI with fragment or unparsable stored: %q", raw)
			}
			host := u.Hostname()
			ip := net.ParseIP(host)
			switch {
			case u.Scheme == "https" && host != "":
			case u.Scheme == "http" && (strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())):
			case u.Scheme != "http" && u.Scheme != "https" && strings.Contains(u.Scheme, "."):
			default:
				t.Fatalf("unsafe redirect URI stored: %q", raw)
			}
		}
		if c.JWKSURI != "" && jwksfetch.ValidateURI(c.JWKSURI) != nil {
			t.Fatalf("jwks_uri stored that the fetcher refuses: %q", c.JWKSURI)
		}
		if secret, _ := resp["client_secret"].(string); secret != "" {
			if c.SecretHash == secret || clientsecret.Verify(c.SecretHash, secret) != nil {
				t.Fatal("secret not stored as its hash")
			}
		}
		if len(c.Metadata) > 0 {
			var kept map[string]json.RawMessage
			if err := json.Unmarshal(c.Metadata, &kept); err != nil {
				t.Fatalf("Metadata is not a JSON object: %v", err)
			}
			for _, k := range []string{"client_secret", "registration_access_token", "software_statement", "client_id"} {
				if _, ok := kept[k]; ok {
					t.Fatalf("%s stored in Metadata", k)
				}
			}
		}
	})
}

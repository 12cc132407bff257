package compose_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/storage/cache"
)

func TestNewRefusesBadConfigNamingTheField(t *testing.T) {
	kek := make([]byte, 32)
	ok := compose.Config{Issuer: "http://127.0.0.1:8080", StorageURL: "memory://", KEK: kek}
	tests := []struct {
		name  string
		mod   func(*compose.Config)
		field string
	}{
		{"no issuer", func(c *compose.Config) { c.Issuer = "" }, "Issuer"},
		{"relative issuer", func(c *compose.Config) { c.Issuer = "/as" }, "Issuer"},
		{"http issuer on a public host", func(c *compose.Config) { c.Issuer = "http://as.example" }, "Issuer"},
		{"issuer with query", func(c *compose.Config) { c.Issuer = "https://as.example/?x=1" }, "Issuer"},
		{"no store", func(c *compose.Config) { c.StorageURL = "" }, "Store"},
		{"short KEK", func(c *compose.Config) { c.KEK = kek[:16] }, "KEK"},
		{"short token secret", func(c *compose.Config) { c.TokenSecret = []byte("short") }, "TokenSecret"},
		{"unknown format", func(c *compose.Config) { c.DefaultFormat = "xml" }, "DefaultFormat"},
		{"unknown grant", func(c *compose.Config) { c.Grants = []string{"password"} }, "Grants"},
		{"authorization code without login", func(c *compose.Config) { c.Grants = []string{compose.GrantAuthorizationCode} }, "Login"},
		{"unknown auth method", func(c *compose.Config) { c.AuthMethods = []string{"client_secret_jwt"} }, "AuthMethods"},
		{"negative lifespan", func(c *compose.Config) { c.AccessTokenLifespan = -1 }, "Lifespan"},
		{"unknown storage scheme", func(c *compose.Config) { c.StorageURL = "ftp://x" }, "StorageURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			srv, err := compose.New(context.Background(), c)
			if err == nil {
				srv.Close()
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, compose.ErrConfig) || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("error %q does not match ErrConfig or name %s", err, tt.field)
			}
		})
	}
	srv, err := compose.New(context.Background(), ok)
	if err != nil {
		t.Fatalf("the valid config: %v", err)
	}
	srv.Close()
}

// FuzzTokenEndpoint posts arbitrary form bodies to the token endpoint with a valid client:
// the server answers every one with a JSON OAuth error or a token, never a 5xx or a panic.
func FuzzTokenEndpoint(f *testing.F) {
	for _, seed := range []string{
		"grant_type=client_credentials",
		"grant_type=client_credentials&scope=read+write&audience=api",
		"grant_type=authorization_code&code=ory_ac_x.y&redirect_uri=http://x",
		"grant_type=refresh_token&refresh_token=ory_rt_a.b",
		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c",
		"client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=x.y.z&grant_type=client_credentials",
		"%zz", "grant_type=client_credentials&grant_type=refresh_token",
	} {
		f.Add(seed)
	}
	s := start(f, "memory://", compose.FormatJWS, nil)
	secret := s.addClient(f, defaultClient("svc"))
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+compose.PathToken, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("svc", secret)
		resp, err := s.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			form, _ := url.ParseQuery(body)
			t.Fatalf("status %d for %v", resp.StatusCode, form)
		}
	})
}

func TestStoresOpenedByURLGetAClientCacheUnlessTurnedOff(t *testing.T) {
	kek := make([]byte, 32)
	for _, tt := range []struct {
		name   string
		url    string
		ttl    time.Duration
		cached bool
	}{
		{"sqlite", "sqlite://" + t.TempDir() + "/a.db", 0, true},
		{"sqlite without cache", "sqlite://" + t.TempDir() + "/b.db", -1, false},
		{"memory", "memory://", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := compose.New(context.Background(), compose.Config{
				Issuer: "http://127.0.0.1:8080", StorageURL: tt.url, KEK: kek, CacheTTL: tt.ttl,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if _, cached := srv.Store().(*cache.Store); cached != tt.cached {
				t.Fatalf("store %T, want cached %v", srv.Store(), tt.cached)
			}
		})
	}
}

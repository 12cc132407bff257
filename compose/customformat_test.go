package compose_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

// renamed gives a format another name, as a custom format built on a library has its own.
type renamed struct {
	tokenformat.Format
	name string
}

func (r renamed) Name() string { return r.name }

// serverSigned is a custom format that signs with the server's own keys: a JWS built from
// the Env the server hands its constructor.
func serverSigned(name string, got *tokenformat.Env) tokenformat.Constructor {
	return func(env tokenformat.Env) (tokenformat.Format, error) {
		*got = env
		f, err := jws.New(env.Issuer, env.Keys, jws.Options{DefaultAudience: env.DefaultAudience, Now: env.Now})
		if err != nil {
			return nil, err
		}
		return renamed{f, name}, nil
	}
}

func TestCustomFormatSignsWithTheServersActiveKeyForTheClientThatChoosesIt(t *testing.T) {
	var env tokenformat.Env
	s := start(t, "memory://", compose.FormatOpaque, func(c *compose.Config) {
		c.CustomFormats = map[string]tokenformat.Constructor{"server-signed": serverSigned("server-signed", &env)}
	})
	switch {
	case env.Keys == nil || env.Logger == nil || env.Now == nil:
		t.Fatalf("the constructor got an incomplete Env: %+v", env)
	case env.Issuer != s.URL:
		t.Errorf("Env.Issuer = %q, want %q", env.Issuer, s.URL)
	case len(env.DefaultAudience) != 1 || env.DefaultAudience[0] != s.URL:
		t.Errorf("Env.DefaultAudience = %q, want the issuer", env.DefaultAudience)
	}

	chooser := defaultClient("chooser")
	chooser.AccessTokenFormat = "server-signed"
	chooserSecret := s.addClient(t, chooser)
	otherSecret := s.addClient(t, defaultClient("other"))
	token := func(id, secret string) string {
		t.Helper()
		resp, body := s.postForm(t, compose.PathToken, id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: token endpoint: %d %v", id, resp.StatusCode, body)
		}
		return body["access_token"].(string)
	}

	tok := token("chooser", chooserSecret)
	sig, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("the chosen custom format did not issue an ES256 JWS: %v", err)
	}
	active, err := s.Keys().Active(context.Background(), "sig", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	if kid := sig.Signatures[0].Header.KeyID; kid != active.KeyID {
		t.Errorf("token kid = %q, want the server's active key %q", kid, active.KeyID)
	}
	jwks := s.Keys().JWKS()
	published := jwks.Key(active.KeyID)
	if len(published) != 1 {
		t.Fatalf("the server's JWKS holds %d keys with kid %q", len(published), active.KeyID)
	}
	if _, err := sig.Verify(published[0].Key); err != nil {
		t.Errorf("the token does not verify with the key the server publishes: %v", err)
	}
	if got := s.introspect(t, "chooser", chooserSecret, tok); got["active"] != true || got["client_id"] != "chooser" {
		t.Errorf("introspection of the custom token = %v, want active for chooser", got)
	}

	if other := token("other", otherSecret); strings.Count(other, ".") == 2 {
		t.Errorf("a client naming no format got a JWT %q, want the default opaque format", other)
	}
}

func TestPrebuiltCustomFormatIsTheDefaultWithItsOwnKeys(t *testing.T) {
	key, err := formattest.NewKey("sig", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	// The prebuilt format must know the issuer before the server exists: reserve an address.
	ts := httptest.NewServer(nil)
	t.Cleanup(ts.Close)
	f, err := jws.New(ts.URL, formattest.NewKeys(key), jws.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, "memory://", "own-keys", func(c *compose.Config) {
		c.Issuer = ts.URL
		c.CustomFormats = map[string]tokenformat.Constructor{"own-keys": tokenformat.Prebuilt(renamed{f, "own-keys"})}
	})
	secret := s.addClient(t, defaultClient("c"))
	resp, body := s.postForm(t, compose.PathToken, "c", secret, url.Values{"grant_type": {"client_credentials"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token endpoint: %d %v", resp.StatusCode, body)
	}
	tok, _ := body["access_token"].(string)
	sig, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("the default custom format was not used: %v", err)
	}
	if kid := sig.Signatures[0].Header.KeyID; kid != key.KeyID {
		t.Errorf("token kid = %q, want the prebuilt format's own key %q", kid, key.KeyID)
	}
	if got := s.introspect(t, "c", secret, tok); got["active"] != true {
		t.Errorf("introspection = %v, want active", got)
	}
}

func TestCustomFormatsConfigErrors(t *testing.T) {
	failing := errors.New("no key for this format")
	build := func(name string) tokenformat.Constructor {
		var env tokenformat.Env
		return serverSigned(name, &env)
	}
	tests := []struct {
		name    string
		formats map[string]tokenformat.Constructor
		want    error
		text    string
	}{
		{"built-in name", map[string]tokenformat.Constructor{compose.FormatJWS: build(compose.FormatJWS)}, compose.ErrConfig, "built-in"},
		{"empty name", map[string]tokenformat.Constructor{"": build("")}, compose.ErrConfig, "empty name"},
		{"nil constructor", map[string]tokenformat.Constructor{"mine": nil}, compose.ErrConfig, "nil constructor"},
		{"constructor fails", map[string]tokenformat.Constructor{"mine": func(tokenformat.Env) (tokenformat.Format, error) { return nil, failing }}, failing, "mine"},
		{"no format built", map[string]tokenformat.Constructor{"mine": tokenformat.Prebuilt(nil)}, compose.ErrConfig, "no format"},
		{"format named otherwise", map[string]tokenformat.Constructor{"mine": build("theirs")}, compose.ErrConfig, `"theirs"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kek := make([]byte, 32)
			_, _ = rand.Read(kek)
			srv, err := compose.New(context.Background(), compose.Config{
				Issuer: "http://127.0.0.1:1", StorageURL: "memory://", KEK: kek,
				KeyCheckInterval: -1, CustomFormats: tt.formats,
			})
			if err == nil {
				_ = srv.Close()
				t.Fatal("New accepted the config")
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("New = %v, want an error matching %v that mentions %s", err, tt.want, tt.text)
			}
		})
	}
}

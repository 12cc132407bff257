package compose_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// serverStores open the shared real servers with a name prefix of their own, so that runs
// never meet each other's clients, tokens or key sets.
var serverStores = map[string]func(t *testing.T) provider.Store{
	"postgres": func(t *testing.T) provider.Store { return openSQL(t, testenv.PostgresVar, testenv.PostgresDefault) },
	"mariadb":  func(t *testing.T) provider.Store { return openSQL(t, testenv.MySQLVar, testenv.MySQLDefault) },
	"redis": func(t *testing.T) provider.Store {
		addr := testenv.Require(t, testenv.RedisVar, testenv.RedisDefault, func(ctx context.Context, u string) error {
			s, err := redisstore.Open(ctx, u, redisstore.Options{})
			if err == nil {
				s.Close()
			}
			return err
		})
		s, err := redisstore.Open(context.Background(), addr, redisstore.Options{Prefix: randomName("compose-")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	},
}

func openSQL(t *testing.T, v, def string) provider.Store {
	addr := testenv.Require(t, v, def, func(ctx context.Context, u string) error {
		s, err := sqlstore.Open(ctx, u, sqlstore.Options{})
		if err == nil {
			s.Close()
		}
		return err
	})
	// One prefix per schema version, so that checkouts at different schema versions, run
	// against the same servers, never share (and migrate) each other's tables.
	prefix := fmt.Sprintf("composev%d_", sqlstore.SchemaVersion())
	s, err := sqlstore.Open(context.Background(), addr, sqlstore.Options{TablePrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestClientCredentialsAndRevocationOnServerStores(t *testing.T) {
	for name, open := range serverStores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			for _, format := range allFormats {
				t.Run(format, func(t *testing.T) {
					s := start(t, "", format, func(c *compose.Config) {
						c.StorageURL = ""
						c.Store = store
						c.KeySetName = randomName("ks")
					})
					id := randomName("svc")
					secret := s.addClient(t, defaultClient(id))
					resp, body := s.postForm(t, compose.PathToken, id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}})
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("token: %d %v", resp.StatusCode, body)
					}
					at := body["access_token"].(string)
					if got := s.introspect(t, id, secret, at); got["active"] != true || got["sub"] != id {
						t.Fatalf("introspection = %v", got)
					}
					if resp, body := s.postForm(t, compose.PathRevoke, id, secret, url.Values{"token": {at}}); resp.StatusCode != http.StatusOK {
						t.Fatalf("revoke: %d %v", resp.StatusCode, body)
					}
					if got := s.introspect(t, id, secret, at); got["active"] != false {
						t.Fatalf("after revocation: %v", got)
					}
				})
			}
		})
	}
}

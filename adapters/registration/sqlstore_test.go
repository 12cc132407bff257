package registration_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

// sqlBackends are the SQL databases the restart test runs on. Server databases are shared,
// so each run uses tables under a random prefix and drops them afterwards.
var sqlBackends = []struct {
	name   string
	url    func(t *testing.T) string
	shared bool
}{
	{"sqlite-file", func(t *testing.T) string {
		return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "oauth.db"))
	}, false},
	{"postgres", func(t *testing.T) string {
		return testenv.Require(t, testenv.PostgresVar, testenv.PostgresDefault, probeSQL)
	}, true},
	{"mariadb", func(t *testing.T) string {
		return testenv.Require(t, testenv.MySQLVar, testenv.MySQLDefault, probeSQL)
	}, true},
}

func probeSQL(ctx context.Context, url string) error {
	s, err := sqlstore.Open(ctx, url, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	return s.Close()
}

// TestRegisteredClientSurvivesRestartOnSQL registers a client through one server, then reads,
// updates and deletes it through a second server over the same database (SQLite file,
// PostgreSQL, MariaDB): the secret and token hashes, the JWKS and the kept metadata
// round-trip through SQL.
func TestRegisteredClientSurvivesRestartOnSQL(t *testing.T) {
	for _, b := range sqlBackends {
		t.Run(b.name, func(t *testing.T) { testRestart(t, b.url(t), b.shared) })
	}
}

func testRestart(t *testing.T, url string, shared bool) {
	ctx := context.Background()
	opts := sqlstore.Options{Logger: slog.New(slog.DiscardHandler)}
	if shared {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		opts.TablePrefix = "reg" + hex.EncodeToString(b) + "_"
		t.Cleanup(func() {
			s, err := sqlstore.Open(ctx, url, opts)
			if err != nil {
				t.Errorf("cleanup: %v", err)
				return
			}
			defer s.Close()
			for _, table := range []string{"tokens", "clients", "deny_list", "key_sets", "schema_version"} {
				if _, err := s.DB().ExecContext(ctx, "DROP TABLE IF EXISTS "+opts.TablePrefix+table); err != nil {
					t.Errorf("drop %s: %v", table, err)
				}
			}
		})
	}
	open := func() (*sqlstore.Store, *env) {
		s, err := sqlstore.Open(ctx, url, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		srv := httptest.NewServer(mux)
		h, err := registration.New(s, srv.URL+"/register", fullOptions())
		if err != nil {
			t.Fatal(err)
		}
		h.Mount(mux)
		return s, &env{srv: srv, h: h, url: srv.URL + "/register"}
	}

	s1, e1 := open()
	r := e1.register(t, `{"grant_types":["client_credentials","urn:ietf:params:oauth:grant-type:jwt-bearer"],"token_endpoint_auth_method":"private_key_jwt","jwks":`+ecJWKS+`,"scope":"read write","x_team":{"id":7}}`)
	e1.srv.Close()
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	id, tok := r.str("client_id"), r.str("registration_access_token")

	s2, e2 := open()
	defer s2.Close()
	defer e2.srv.Close()
	uri := e2.url + "/" + id
	got := e2.do(t, http.MethodGet, uri, tok, "", "")
	if got.status != http.StatusOK || got.str("scope") != "read write" {
		t.Fatalf("read after restart: %d %s", got.status, got.raw)
	}
	if team, _ := json.Marshal(got.body["x_team"]); string(team) != `{"id":7}` {
		t.Errorf("x_team = %s", team)
	}
	if keys, _ := got.body["jwks"].(map[string]any); keys == nil {
		t.Errorf("jwks not returned: %s", got.raw)
	}
	c, err := s2.Client(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if clientsecret.Verify(c.RegistrationTokenHash, tok) != nil || c.SecretHash != "" {
		t.Fatal("hashes did not round-trip")
	}

	upd := fmt.Sprintf(`{"client_id":%q,"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_post"}`, id)
	u := e2.do(t, http.MethodPut, uri, tok, "application/json", upd)
	if u.status != http.StatusOK || u.str("client_secret") == "" {
		t.Fatalf("update: %d %s", u.status, u.raw)
	}
	c, _ = s2.Client(ctx, id)
	if clientsecret.Verify(c.SecretHash, u.str("client_secret")) != nil || len(c.JWKS) != 0 || strings.Contains(string(c.Metadata), "x_team") {
		t.Fatalf("update not stored as a replacement: %+v", c)
	}
	if d := e2.do(t, http.MethodDelete, uri, tok, "", ""); d.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", d.status, d.raw)
	}
	if g := e2.do(t, http.MethodGet, uri, tok, "", ""); g.status != http.StatusUnauthorized {
		t.Fatalf("read after delete: %d", g.status)
	}
}

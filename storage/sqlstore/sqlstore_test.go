package sqlstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// backend is one database the tests run against.
type backend struct {
	name string
	// url returns the database URL, skipping the test (or failing it under CI) when the
	// server is not reachable. Server databases are shared, so isolate with a TablePrefix.
	url func(t testing.TB) string
	// shared is true for server databases, which need a prefix and cleaning up.
	shared bool
}

var backends = []backend{
	{name: "sqlite-memory", url: func(testing.TB) string { return "sqlite://:memory:" }},
	{name: "sqlite-file", url: func(t testing.TB) string {
		return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "oauth.db"))
	}},
	{name: "postgres", url: postgresURL, shared: true},
	{name: "mariadb", url: mysqlURL, shared: true},
}

func postgresURL(t testing.TB) string {
	return testenv.Require(t, testenv.PostgresVar, testenv.PostgresDefault, probe)
}

func mysqlURL(t testing.TB) string {
	return testenv.Require(t, testenv.MySQLVar, testenv.MySQLDefault, probe)
}

// probe opens the database at url and pings it.
func probe(ctx context.Context, url string) error {
	s, err := sqlstore.Open(ctx, url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

// randomPrefix returns a table prefix no other test uses.
func randomPrefix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "t" + hex.EncodeToString(b) + "_"
}

// quiet discards the Store's log lines (migration progress) in tests.
var quiet = slog.New(slog.DiscardHandler)

// tables are the tables a migrated store has, without prefix.
var tables = []string{"tokens", "clients", "deny_list", "key_sets", "revoked_grants", "revoked_clients", "schema_version"}

// open opens url with opts, migrates it and registers cleanup: Close, and for server
// databases dropping the prefixed tables. It gives server databases a random prefix when
// opts has none.
func open(t testing.TB, b backend, url string, opts sqlstore.Options) *sqlstore.Store {
	t.Helper()
	if b.shared && opts.TablePrefix == "" {
		opts.TablePrefix = randomPrefix()
	}
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sqlstore.Open(ctx, url, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", b.name, err)
	}
	t.Cleanup(func() {
		if b.shared {
			dropTables(t, s, opts.TablePrefix)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate(%s): %v", b.name, err)
	}
	return s
}

func dropTables(t testing.TB, s *sqlstore.Store, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range tables {
		if _, err := s.DB().ExecContext(ctx, "DROP TABLE IF EXISTS "+prefix+name); err != nil {
			t.Errorf("drop %s%s: %v", prefix, name, err)
		}
	}
}

// TestConformance runs the storage conformance kit against every dialect: SQLite in memory
// and in a file (a fresh database per subtest), PostgreSQL and MariaDB. On the servers one
// schema under a random prefix serves the whole run (dropped afterwards): each subtest gets a
// new Store on it with its own clock, and the clients table is emptied for it, which is all
// the kit needs, since it uses random keys and IDs everywhere else.
func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			var shared *sqlstore.Store
			prefix := randomPrefix()
			if b.shared {
				shared = open(t, b, b.url(t), sqlstore.Options{TablePrefix: prefix})
			}
			storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
				if !b.shared {
					return open(t, b, b.url(t), sqlstore.Options{Now: now})
				}
				if _, err := shared.DB().ExecContext(t.Context(), "DELETE FROM "+prefix+"clients"); err != nil {
					t.Fatalf("empty the clients table: %v", err)
				}
				s, err := sqlstore.New(shared.DB(), shared.Dialect(), sqlstore.Options{Now: now, TablePrefix: prefix, Logger: quiet})
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}

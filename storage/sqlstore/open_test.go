package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

// roundTripClient stores a client in s and reads it back.
func roundTripClient(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	ctx := t.Context()
	id := "client-" + randomPrefix()
	if err := s.CreateClient(ctx, &provider.Client{ID: id, Name: "n"}); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	c, err := s.Client(ctx, id)
	if err != nil || c.Name != "n" {
		t.Fatalf("Client: got (%v, %v), want the stored client", c, err)
	}
}

func TestOpenAcceptsEveryURLForm(t *testing.T) {
	sqliteLocal := backend{name: "sqlite"}
	pg := backend{name: "postgres", shared: true}
	my := backend{name: "mariadb", shared: true}
	cases := []struct {
		name string
		b    backend
		url  func(t *testing.T) string
		file string // a file the URL must have created, if any
	}{
		{"sqlite memory", sqliteLocal, func(*testing.T) string { return "sqlite://:memory:" }, ""},
		{"sqlite absolute path", sqliteLocal, func(t *testing.T) string {
			return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "abs.db"))
		}, ""},
		{"sqlite relative path", sqliteLocal, func(t *testing.T) string {
			t.Chdir(t.TempDir())
			return "sqlite://data.db"
		}, "data.db"},
		{"sqlite relative path in a directory, with parameters", sqliteLocal, func(t *testing.T) string {
			t.Chdir(t.TempDir())
			if err := os.Mkdir("var", 0o700); err != nil {
				t.Fatal(err)
			}
			return "sqlite://var/o%20auth.db?_pragma=synchronous(FULL)"
		}, "var/o auth.db"},
		{"sqlite3 scheme", sqliteLocal, func(*testing.T) string { return "sqlite3://:memory:" }, ""},
		{"postgres", pg, func(t *testing.T) string { return postgresURL(t) }, ""},
		{"postgresql", pg, func(t *testing.T) string {
			return "postgresql://" + strings.TrimPrefix(postgresURL(t), "postgres://")
		}, ""},
		{"mysql", my, func(t *testing.T) string { return mysqlURL(t) }, ""},
		{"mariadb with parameters", my, func(t *testing.T) string {
			return "mariadb://" + strings.TrimPrefix(mysqlURL(t), "mysql://") + "?timeout=5s&loc=UTC"
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t, c.b, c.url(t), sqlstore.Options{})
			roundTripClient(t, s)
			if c.file != "" {
				if _, err := os.Stat(c.file); err != nil {
					t.Fatalf("the database file %q was not created: %v", c.file, err)
				}
			}
		})
	}
}

func TestOpenRejectsMalformedURLsWithoutRepeatingThem(t *testing.T) {
	const secret = "s3cr3tpw"
	cases := []struct {
		url, want string
	}{
		{"", "no scheme"},
		{"oauth.db", "no scheme"},
		{"redis://127.0.0.1:6379/0", `scheme "redis"`},
		{"sqlite://", "no path"},
		{"sqlite://%zz.db", "escape"},
		{"sqlite://file:x.db", "file:"},
		{"sqlite://a.db?%zz", "query"},
		{"postgres://u:" + secret + "@host:notaport/db", "PostgreSQL URL"},
		{"mysql://u:" + secret + "@[::1/db", "mysql URL"},
		{"mysql://u:" + secret + "@/db", "no host"},
		{"mysql://u:" + secret + "@host/db?tls=nonsense", "parameters"},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			s, err := sqlstore.Open(t.Context(), c.url, sqlstore.Options{})
			if err == nil {
				s.Close()
				t.Fatalf("Open succeeded, want an error mentioning %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestOpenOfUnreachableServerFailsWithUnavailable(t *testing.T) {
	addr := closedPort(t)
	for _, url := range []string{
		"postgres://postgres:pw@" + addr + "/test?sslmode=disable",
		"mysql://root:pw@" + addr + "/test",
		"sqlite:///nonexistent-dir-" + randomPrefix() + "/oauth.db",
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		s, err := sqlstore.Open(ctx, url, sqlstore.Options{})
		cancel()
		if err == nil {
			s.Close()
			t.Fatalf("Open(%s) of an unreachable database succeeded", url)
		}
		if !errors.Is(err, provider.ErrUnavailable) {
			t.Errorf("Open(%s): got %v, want an error matching ErrUnavailable", url, err)
		}
	}
}

func TestNewAndOpenRejectInvalidOptionsNamingTheField(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cases := []struct {
		name    string
		db      *sql.DB
		dialect sqlstore.Dialect
		opts    sqlstore.Options
		want    string
	}{
		{"nil db", nil, sqlstore.SQLite, sqlstore.Options{}, "db is nil"},
		{"unknown dialect", db, "oracle", sqlstore.Options{}, "Dialect"},
		{"upper-case prefix", db, sqlstore.SQLite, sqlstore.Options{TablePrefix: "Oauth_"}, "TablePrefix"},
		{"prefix with a quote", db, sqlstore.SQLite, sqlstore.Options{TablePrefix: "x'; drop table t; --"}, "TablePrefix"},
		{"long prefix", db, sqlstore.SQLite, sqlstore.Options{TablePrefix: strings.Repeat("a", 33)}, "TablePrefix"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := sqlstore.New(c.db, c.dialect, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("New: got %v, want an error naming %q", err, c.want)
			}
			if c.opts.TablePrefix != "" {
				if _, err := sqlstore.Open(t.Context(), "sqlite://:memory:", c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("Open: got %v, want an error naming %q", err, c.want)
				}
			}
		})
	}
	if _, err := sqlstore.New(db, sqlstore.SQLite, sqlstore.Options{TablePrefix: "oauth_2_"}); err != nil {
		t.Errorf("New with a valid prefix: %v", err)
	}
}

func TestInMemoryDatabasesAreSeparateAndSharedByConcurrentUsers(t *testing.T) {
	b := backend{name: "sqlite-memory"}
	a := open(t, b, "sqlite://:memory:", sqlstore.Options{})
	c := open(t, b, "sqlite://:memory:", sqlstore.Options{})
	if err := a.CreateClient(t.Context(), &provider.Client{ID: "only-in-a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Client(t.Context(), "only-in-a"); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("a client of one in-memory store is visible in another: %v", err)
	}
	// Many concurrent users of the one pinned connection all see the same database.
	errs := make(chan error, 32)
	for range 32 {
		go func() {
			_, err := a.Client(t.Context(), "only-in-a")
			errs <- err
		}()
	}
	for range 32 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent read of the in-memory store: %v", err)
		}
	}
}

func TestFileDatabasePersistsAcrossReopen(t *testing.T) {
	url := "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "oauth.db"))
	ctx := t.Context()
	s, err := sqlstore.Open(ctx, url, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, &provider.Client{ID: "kept", Name: "kept"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = sqlstore.Open(ctx, url, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate of a current file: %v", err)
	}
	if c, err := s.Client(ctx, "kept"); err != nil || c.Name != "kept" {
		t.Fatalf("after reopening: got (%v, %v), want the client stored before", c, err)
	}
}

func TestCloseLeavesACallersDBOpen(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := sqlstore.New(db, sqlstore.SQLite, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.DB() != db {
		t.Fatal("DB() is not the *sql.DB given to New")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("the caller's DB was closed by Store.Close: %v", err)
	}
}

// TestInMemoryDatabaseSurvivesInterruptedQueries interrupts many queries on the one pinned
// connection of an in-memory store by their deadlines; the pool must keep that connection
// (dropping it would silently lose the database) and the data must still be there.
func TestInMemoryDatabaseSurvivesInterruptedQueries(t *testing.T) {
	s := open(t, backend{name: "sqlite-memory"}, "sqlite://:memory:", sqlstore.Options{})
	if err := s.CreateClient(t.Context(), &provider.Client{ID: "kept"}); err != nil {
		t.Fatal(err)
	}
	const slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c"
	for range 3 {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
		var n int64
		err := s.DB().QueryRowContext(ctx, slow).Scan(&n)
		cancel()
		if err == nil {
			t.Fatal("a query of a hundred million rows finished within 20ms: the test no longer interrupts anything")
		}
	}
	if _, err := s.Client(t.Context(), "kept"); err != nil {
		t.Fatalf("after interrupted queries: %v", err)
	}
}

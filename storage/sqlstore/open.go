package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqldriver"
)

// Open opens the database named by rawURL, checks that it answers, and returns a Store that
// owns it (Close closes it). It does not create tables: call Migrate (or use OpenMigrated).
//
// sqlstore links no database driver: import the package of each dialect you use, which
// links its driver and registers its URL schemes with storage.Open as well:
//
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres" // postgres://, postgresql://
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/mysql"    // mysql://, mariadb://
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite"   // sqlite://, sqlite3://
//
// A URL of a dialect whose package is not linked is an error that names the package.
//
// The URL forms:
//
//	sqlite:///var/lib/oauth/oauth.db   an absolute file path (created if missing)
//	sqlite://oauth.db                  a path relative to the working directory
//	sqlite://:memory:                  a private in-memory database, gone on Close
//	postgres://user:pass@host:5432/db?sslmode=disable   (also postgresql://; any libpq/pgx parameter)
//	mysql://user:pass@host:3306/db?tls=true             (also mariadb://; any go-sql-driver parameter)
//
// SQLite files are opened in WAL mode with a 5 s busy timeout and IMMEDIATE transactions, on
// one connection, so that writers of one process queue in the pool rather than in SQLite's
// busy loop; extra modernc.org/sqlite parameters may follow "?" (for example
// "?_pragma=synchronous(FULL)"). The in-memory database lives on one pinned connection, since
// every new connection to ":memory:" is a different, empty database. MySQL URLs default to
// parseTime=true, loc=UTC and interpolateParams=true (one round trip per statement) unless the
// URL sets them.
//
// PostgreSQL and MySQL pools are capped at 16 open connections; SQLite uses one connection
// (see below). Tune them through DB().
//
// An unreachable database returns an error wrapping provider.ErrUnavailable. Error texts never
// repeat the URL, which may carry a password.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	if err := validPrefix(opts.TablePrefix); err != nil {
		return nil, err
	}
	d, err := driverFor(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	db, err := d.Open(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	s, err := New(db, Dialect(d.Dialect), opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenMigrated is Open followed by Migrate, with the logger of opts: the storage.Opener the
// dialect packages register, so that storage.Open (and compose's StorageURL) returns a
// store whose schema is current.
func OpenMigrated(ctx context.Context, rawURL string, opts storage.OpenOptions) (provider.Store, error) {
	s, err := Open(ctx, rawURL, Options{Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return s, nil
}

// dialectPackages names the package that links each scheme's driver.
var dialectPackages = map[string]string{
	"sqlite": "sqlite", "sqlite3": "sqlite", "postgres": "postgres", "postgresql": "postgres",
	"mysql": "mysql", "mariadb": "mysql",
}

// driverFor returns the linked driver for rawURL's scheme. Its errors never repeat the URL.
func driverFor(rawURL string) (sqldriver.Driver, error) {
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return sqldriver.Driver{}, errors.New("URL has no scheme; want sqlite://, postgres:// or mysql://")
	}
	scheme = strings.ToLower(scheme)
	if d, ok := sqldriver.ByScheme(scheme); ok {
		return d, nil
	}
	if pkg, ok := dialectPackages[scheme]; ok {
		return sqldriver.Driver{}, fmt.Errorf("the %s driver is not linked: import github.com/oauthkit/oauthkit/storage/sqlstore/%s", scheme, pkg)
	}
	if len(scheme) > 20 || strings.ContainsAny(scheme, "@:/") {
		return sqldriver.Driver{}, errors.New("URL scheme is not sqlite, postgres, postgresql, mysql or mariadb")
	}
	return sqldriver.Driver{}, fmt.Errorf("scheme %q is not sqlite, postgres, postgresql, mysql or mariadb", scheme)
}

// linked reports an error naming the package to import if dialect's driver code is not linked.
func linked(dialect Dialect) error {
	if _, ok := sqldriver.ByDialect(string(dialect)); !ok {
		return fmt.Errorf("sqlstore: New: the %s driver is not linked: import github.com/oauthkit/oauthkit/storage/sqlstore/%s", dialect, dialectPackages[string(dialect)])
	}
	return nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// Dialect names the SQL dialect a Store speaks.
type Dialect string

// The dialects a Store speaks.
const (
	// SQLite is SQLite 3 through modernc.org/sqlite (driver name "sqlite").
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL 12 or newer through github.com/jackc/pgx/v5/stdlib.
	Postgres Dialect = "postgres"
	// MySQL is MySQL 8 or MariaDB 10.5 or newer through github.com/go-sql-driver/mysql.
	MySQL Dialect = "mysql"
)

// Options configures a Store. The zero value is a valid configuration.
type Options struct {
	// Now is the clock used to decide expiry and to stamp UsedAt. Nil means time.Now.
	Now func() time.Time
	// Logger receives migration progress and reuse detection events; it never sees a key,
	// token or secret. Nil means slog.Default().
	Logger *slog.Logger
	// TablePrefix is prepended to every table name, so that several stores (or tests) can
	// share one database. It must be at most 32 bytes of [a-z0-9_]; empty means no prefix.
	TablePrefix string
}

// Store is a provider.Store kept in a SQL database. It is safe for concurrent use by any
// number of goroutines and by any number of processes sharing the database.
//
// A Store does not create its tables on its own: call Migrate once after opening (it is a
// no-op when the schema is current, and safe to run from several nodes at once).
type Store struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
	log     *slog.Logger
	prefix  string
	owned   bool // Close closes db
	q       queries
}

var (
	_ provider.Store          = (*Store)(nil)
	_ provider.ClientReader   = (*Store)(nil)
	_ provider.ClientManager  = (*Store)(nil)
	_ provider.TokenStore     = (*Store)(nil)
	_ provider.CodeRedeemer   = (*Store)(nil)
	_ provider.RefreshRotator = (*Store)(nil)
	_ provider.GrantRevoker   = (*Store)(nil)
	_ provider.DenyList       = (*Store)(nil)
	_ provider.KeyStore       = (*Store)(nil)
	_ provider.Pinger         = (*Store)(nil)
	_ provider.Collector      = (*Store)(nil)
	_ io.Closer               = (*Store)(nil)
)

// New returns a Store over a *sql.DB the caller opened with the driver of dialect. The caller
// keeps ownership of db: Close on the Store does not close it. The dialect's package
// (storage/sqlstore/postgres, …/mysql or …/sqlite) must be linked, since it is what tells
// the driver's errors apart (a duplicate key from an outage).
//
// For SQLite the caller is responsible for a busy timeout (modernc.org/sqlite DSN
// "_pragma=busy_timeout(5000)") and, for ":memory:", for pinning one connection
// (db.SetMaxOpenConns(1)); Open does both.
func New(db *sql.DB, dialect Dialect, opts Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New: db is nil")
	}
	switch dialect {
	case SQLite, Postgres, MySQL:
	default:
		return nil, fmt.Errorf("sqlstore: New: Dialect %q is not one of sqlite, postgres, mysql", dialect)
	}
	if err := linked(dialect); err != nil {
		return nil, err
	}
	if err := validPrefix(opts.TablePrefix); err != nil {
		return nil, err
	}
	s := &Store{
		db:      db,
		dialect: dialect,
		now:     opts.Now,
		log:     opts.Logger,
		prefix:  opts.TablePrefix,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.q = buildQueries(dialect, opts.TablePrefix)
	return s, nil
}

func validPrefix(p string) error {
	if len(p) > 32 {
		return errors.New("sqlstore: Options.TablePrefix is longer than 32 bytes")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return errors.New("sqlstore: Options.TablePrefix must contain only [a-z0-9_]")
		}
	}
	return nil
}

// DB returns the underlying *sql.DB, for what the Store does not offer (pool tuning, metrics,
// administration). Statements run through it bypass the Store's guarantees.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect returns the dialect the Store speaks.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping reports whether the database answers; an unreachable one wraps provider.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w: %w", provider.ErrUnavailable, err)
	}
	return nil
}

// Close closes the database if the Store opened it (Open); a Store made with New leaves the
// caller's *sql.DB open.
func (s *Store) Close() error {
	if !s.owned {
		return nil
	}
	return s.db.Close()
}

// nowMS is the Store's clock in Unix milliseconds.
func (s *Store) nowMS() int64 { return s.now().UnixMilli() }

// key converts a key, ID or name to the type its column binds: bytea on PostgreSQL takes
// bytes, so that any byte string round-trips and sorts bytewise.
func (s *Store) key(k string) any {
	if s.dialect == Postgres {
		return []byte(k)
	}
	return k
}

// fail wraps an error the database returned for op. Errors that say the server could not be
// reached or could not answer now (network, deadline, lock contention, shutdown) wrap
// provider.ErrUnavailable; the underlying error stays reachable with errors.As.
func fail(op string, err error) error {
	err = redact(err)
	if unavailable(err) {
		return fmt.Errorf("sqlstore: %s: %w: %w", op, provider.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// ms converts a time to the stored Unix milliseconds; the zero time is stored as 0. (So the
// instant 1970-01-01T00:00:00Z reads back as the zero time, the one value that does not
// round-trip.)
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts stored Unix milliseconds back; 0 is the zero time.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Pool sizes Open sets for the server dialects; tune them further through DB().
const (
	serverMaxOpenConns = 16
	serverMaxIdleConns = 16
)

// Open opens the database named by rawURL, checks that it answers, and returns a Store that
// owns it (Close closes it). It does not create tables: call Migrate.
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
	dst, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	db, err := dst.open()
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	s, err := New(db, dst.dialect, opts)
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

// target is a parsed database URL: what to open, not yet opened.
type target struct {
	dialect   Dialect
	sqliteDSN string // modernc.org/sqlite DSN
	memory    bool   // SQLite ":memory:": pin one connection
	pg        *pgx.ConnConfig
	my        *mysql.Config
}

// parseURL parses a database URL without touching the file system or the network. Its
// errors never repeat the URL, which may carry a password.
func parseURL(rawURL string) (target, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return target{}, errors.New("URL has no scheme; want sqlite://, postgres:// or mysql://")
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return parseSQLite(rest)
	case "postgres", "postgresql":
		cfg, err := pgx.ParseConfig(rawURL)
		if err != nil {
			// pgx redacts passwords only on a best-effort basis; say nothing of the URL.
			return target{}, errors.New("PostgreSQL URL does not parse")
		}
		return target{dialect: Postgres, pg: cfg}, nil
	case "mysql", "mariadb":
		cfg, err := parseMySQL(rest)
		if err != nil {
			return target{}, err
		}
		return target{dialect: MySQL, my: cfg}, nil
	}
	if len(scheme) > 20 || strings.ContainsAny(scheme, "@:/") {
		return target{}, errors.New("URL scheme is not sqlite, postgres, postgresql, mysql or mariadb")
	}
	return target{}, fmt.Errorf("scheme %q is not sqlite, postgres, postgresql, mysql or mariadb", scheme)
}

// open opens the parsed target with the pool settings its dialect needs.
func (t target) open() (*sql.DB, error) {
	switch t.dialect {
	case SQLite:
		db, err := sql.Open("sqlite", t.sqliteDSN)
		if err != nil {
			return nil, err
		}
		if t.memory {
			// Every connection to ":memory:" opens a new, empty database: pin exactly
			// one, and never let the pool close it.
			db.SetMaxOpenConns(1)
			db.SetMaxIdleConns(1)
		} else {
			// SQLite allows one writer at a time, and writers that wait for each other
			// inside SQLite poll with growing sleeps (the busy timeout): 64 racing
			// goroutines on four connections took seconds. One connection queues them in
			// the pool instead, in microseconds each. The busy timeout still covers other
			// processes sharing the file.
			db.SetMaxOpenConns(1)
			db.SetMaxIdleConns(1)
		}
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		return db, nil
	case Postgres:
		db := stdlib.OpenDB(*t.pg)
		db.SetMaxOpenConns(serverMaxOpenConns)
		db.SetMaxIdleConns(serverMaxIdleConns)
		db.SetConnMaxLifetime(30 * time.Minute)
		return db, nil
	default:
		conn, err := mysql.NewConnector(t.my)
		if err != nil {
			return nil, errors.New("mysql configuration is not valid")
		}
		db := sql.OpenDB(conn)
		db.SetMaxOpenConns(serverMaxOpenConns)
		db.SetMaxIdleConns(serverMaxIdleConns)
		db.SetConnMaxLifetime(5 * time.Minute) // below any sane wait_timeout
		return db, nil
	}
}

// sqliteParams are the DSN parameters of every SQLite connection; files add WAL.
const (
	sqliteParams     = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"
	sqliteFileParams = "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
)

// parseSQLite parses the part of a sqlite:// URL after "sqlite://".
func parseSQLite(rest string) (target, error) {
	p, query, _ := strings.Cut(rest, "?")
	p, err := url.PathUnescape(p)
	if err != nil {
		return target{}, errors.New("sqlite URL path has an invalid %-escape")
	}
	if query != "" {
		if _, err := url.ParseQuery(query); err != nil {
			return target{}, errors.New("sqlite URL query does not parse")
		}
	}
	switch {
	case p == "":
		return target{}, errors.New("sqlite URL has no path; want sqlite:///abs/path.db, sqlite://rel.db or sqlite://:memory:")
	case p == ":memory:":
		return target{dialect: SQLite, memory: true, sqliteDSN: ":memory:?" + join(sqliteParams, query)}, nil
	case strings.ContainsAny(p, "?#\x00") || strings.HasPrefix(p, "file:"):
		return target{}, errors.New("sqlite path may not contain ?, # or NUL, nor begin with file:")
	}
	return target{dialect: SQLite, sqliteDSN: p + "?" + join(sqliteParams+sqliteFileParams, query)}, nil
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + "&" + b
}

// parseMySQL translates the part of a mysql:// URL after "mysql://"
// (user:pass@host:port/db?params) into a go-sql-driver configuration.
func parseMySQL(rest string) (*mysql.Config, error) {
	u, err := url.Parse("mysql://" + rest)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("mysql URL does not parse: %w", err)
	}
	if u.Host == "" {
		return nil, errors.New("mysql URL has no host")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	q := u.Query()
	for k, v := range map[string]string{"parseTime": "true", "loc": "UTC", "interpolateParams": "true"} {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	cfg, err := mysql.ParseDSN("tcp(" + addr + ")/" + url.PathEscape(strings.TrimPrefix(u.Path, "/")) + "?" + q.Encode())
	if err != nil {
		return nil, errors.New("mysql URL parameters are not valid go-sql-driver/mysql parameters")
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	return cfg, nil
}

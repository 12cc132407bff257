package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	"modernc.org/sqlite"
)

// counting wraps a driver.Connector and counts the statements its connections run: every
// ExecContext and QueryContext, on a connection or on a prepared statement. Each is one round
// trip to the server (pgx and go-sql-driver/mysql with interpolateParams send a statement and
// its arguments together), so the count is the number of round trips an operation costs.
type counting struct {
	next  driver.Connector
	stmts atomic.Int64
}

func (c *counting) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.next.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: &c.stmts}, nil
}

func (c *counting) Driver() driver.Driver { return c.next.Driver() }

type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

var (
	_ driver.ExecerContext      = (*countingConn)(nil)
	_ driver.QueryerContext     = (*countingConn)(nil)
	_ driver.ConnPrepareContext = (*countingConn)(nil)
	_ driver.ConnBeginTx        = (*countingConn)(nil)
	_ driver.Pinger             = (*countingConn)(nil)
	_ driver.SessionResetter    = (*countingConn)(nil)
	_ driver.Validator          = (*countingConn)(nil)
	_ driver.NamedValueChecker  = (*countingConn)(nil)
)

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := e.ExecContext(ctx, q, args)
	if err != driver.ErrSkip {
		c.n.Add(1)
	}
	return r, err
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	e, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := e.QueryContext(ctx, q, args)
	if err != driver.ErrSkip {
		c.n.Add(1)
	}
	return r, err
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, q)
	} else {
		st, err = c.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, n: c.n}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

func (c *countingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type countingStmt struct {
	driver.Stmt
	n *atomic.Int64
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// dsnConnector is a driver.Connector for a driver without one (modernc.org/sqlite).
type dsnConnector struct {
	dsn string
	d   driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// openCounting returns a migrated Store of backend b whose statements are counted, opened
// the way Open opens b (same DSN parameters and pool settings) but through New.
func openCounting(t testing.TB, b backend, opts sqlstore.Options) (*sqlstore.Store, *counting) {
	t.Helper()
	var (
		c       = &counting{}
		dialect sqlstore.Dialect
		setup   func(*sql.DB)
	)
	switch b.name {
	case "sqlite-memory":
		dialect = sqlstore.SQLite
		c.next = dsnConnector{":memory:?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate", &sqlite.Driver{}}
		setup = func(db *sql.DB) { db.SetMaxOpenConns(1); db.SetMaxIdleConns(1) }
	case "sqlite-file":
		dialect = sqlstore.SQLite
		c.next = dsnConnector{filepath.Join(t.TempDir(), "oauth.db") +
			"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate" +
			"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)", &sqlite.Driver{}}
		setup = func(db *sql.DB) { db.SetMaxOpenConns(1); db.SetMaxIdleConns(1) }
	case "postgres":
		dialect = sqlstore.Postgres
		cfg, err := pgx.ParseConfig(b.url(t))
		if err != nil {
			t.Fatal(err)
		}
		c.next = stdlib.GetConnector(*cfg)
		setup = func(db *sql.DB) { db.SetMaxOpenConns(16); db.SetMaxIdleConns(16) }
	case "mariadb":
		dialect = sqlstore.MySQL
		u, err := url.Parse(b.url(t))
		if err != nil {
			t.Fatal(err)
		}
		cfg := mysql.NewConfig()
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
		cfg.Net, cfg.Addr, cfg.DBName = "tcp", u.Host, u.Path[1:]
		cfg.InterpolateParams, cfg.ParseTime = true, true
		if c.next, err = mysql.NewConnector(cfg); err != nil {
			t.Fatal(err)
		}
		setup = func(db *sql.DB) { db.SetMaxOpenConns(16); db.SetMaxIdleConns(16) }
	default:
		t.Fatalf("no counting connector for %s", b.name)
	}
	if b.shared && opts.TablePrefix == "" {
		opts.TablePrefix = randomPrefix()
	}
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	db := sql.OpenDB(c)
	setup(db)
	s, err := sqlstore.New(db, dialect, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if b.shared {
			dropTables(t, s, opts.TablePrefix)
		}
		db.Close()
	})
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, c
}

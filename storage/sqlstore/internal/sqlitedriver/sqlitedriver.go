// Package sqlitedriver is sqlstore's SQLite driver code, on modernc.org/sqlite (pure Go).
// Importing it registers the dialect with sqldriver.
package sqlitedriver

import (
	"database/sql"
	"errors"
	"net/url"
	"strings"

	"modernc.org/sqlite"

	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqldriver"
)

func init() {
	sqldriver.Register(sqldriver.Driver{
		Dialect: "sqlite", Schemes: []string{"sqlite", "sqlite3"},
		Open: open, Classify: classify, Redact: func(error) (string, bool) { return "", false },
	})
}

// SQLite result codes (https://sqlite.org/rescode.html).
const (
	busy          = 5
	locked        = 6
	noMem         = 7
	interrupt     = 9
	ioErr         = 10
	full          = 13
	cantOpen      = 14
	constraintPK  = 1555
	constraintUnq = 2067
)

// sqliteParams are the DSN parameters of every SQLite connection; files add WAL.
const (
	params     = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"
	fileParams = "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
)

// ParseURL translates a sqlite:// URL into a modernc.org/sqlite DSN, and reports whether it
// names the private in-memory database. Its errors never repeat the URL.
func ParseURL(rawURL string) (dsn string, memory bool, err error) {
	_, rest, _ := strings.Cut(rawURL, "://")
	p, query, _ := strings.Cut(rest, "?")
	p, err = url.PathUnescape(p)
	if err != nil {
		return "", false, errors.New("sqlite URL path has an invalid %-escape")
	}
	if query != "" {
		if _, err := url.ParseQuery(query); err != nil {
			return "", false, errors.New("sqlite URL query does not parse")
		}
	}
	switch {
	case p == "":
		return "", false, errors.New("sqlite URL has no path; want sqlite:///abs/path.db, sqlite://rel.db or sqlite://:memory:")
	case p == ":memory:":
		return ":memory:?" + join(params, query), true, nil
	case strings.ContainsAny(p, "?#\x00") || strings.HasPrefix(p, "file:"):
		return "", false, errors.New("sqlite path may not contain ?, # or NUL, nor begin with file:")
	}
	return p + "?" + join(params+fileParams, query), false, nil
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + "&" + b
}

func open(rawURL string) (*sql.DB, error) {
	dsn, _, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One connection. For ":memory:" because every connection to it opens a new, empty
	// database: pin exactly one, and never let the pool close it. For files because SQLite
	// allows one writer at a time, and writers that wait for each other inside SQLite poll
	// with growing sleeps (the busy timeout): 64 racing goroutines on four connections took
	// seconds. One connection queues them in the pool instead, in microseconds each. The busy
	// timeout still covers other processes sharing the file.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

func classify(err error) (sqldriver.Class, bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return sqldriver.Class{}, false
	}
	switch se.Code() & 0xff {
	case busy, locked, noMem, interrupt, ioErr, full, cantOpen:
		return sqldriver.Class{Unavailable: true}, true
	}
	return sqldriver.Class{Duplicate: se.Code() == constraintPK || se.Code() == constraintUnq}, true
}

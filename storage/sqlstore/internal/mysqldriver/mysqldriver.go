// Package mysqldriver is sqlstore's MySQL and MariaDB driver code, on
// github.com/go-sql-driver/mysql. Importing it registers the dialect with sqldriver.
package mysqldriver

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqldriver"
)

func init() {
	sqldriver.Register(sqldriver.Driver{
		Dialect: "mysql", Schemes: []string{"mysql", "mariadb"},
		Open: open, Classify: classify, Redact: redact,
	})
}

// MySQL/MariaDB server error numbers.
const (
	dupEntry        = 1062
	tooManyConns    = 1040
	serverShutdown  = 1053
	lockWaitTimeout = 1205
	deadlock        = 1213
	interrupted     = 1317
	maxExecTime     = 3024
	mariaStmtTime   = 1969
)

func open(rawURL string) (*sql.DB, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, errors.New("mysql configuration is not valid")
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(sqldriver.MaxConns)
	db.SetMaxIdleConns(sqldriver.MaxConns)
	db.SetConnMaxLifetime(5 * time.Minute) // below any sane wait_timeout
	return db, nil
}

// ParseURL translates a mysql:// or mariadb:// URL (user:pass@host:port/db?params) into a
// go-sql-driver configuration, defaulting parseTime=true, loc=UTC and
// interpolateParams=true unless the URL sets them. Its errors never repeat the URL.
func ParseURL(rawURL string) (*mysql.Config, error) {
	_, rest, _ := strings.Cut(rawURL, "://")
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

func classify(err error) (sqldriver.Class, bool) {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return sqldriver.Class{}, false
	}
	n := me.Number
	return sqldriver.Class{
		Duplicate:       n == dupEntry,
		Deadlock:        n == deadlock || n == lockWaitTimeout,
		LockWaitTimeout: n == lockWaitTimeout,
		Unavailable: n == tooManyConns || n == serverShutdown || n == lockWaitTimeout || n == deadlock ||
			n == interrupted || n == maxExecTime || n == mariaStmtTime,
	}, true
}

// redact hides every server message: "Duplicate entry '…'" and "Incorrect string value:
// '…'" quote the values the store was given.
func redact(err error) (string, bool) {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return fmt.Sprintf("mysql error %d (SQLSTATE %s)", me.Number, me.SQLState[:]), true
	}
	return "", false
}

// Package pgdriver is sqlstore's PostgreSQL driver code, on github.com/jackc/pgx/v5.
// Importing it registers the dialect with sqldriver.
package pgdriver

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqldriver"
)

func init() {
	sqldriver.Register(sqldriver.Driver{
		Dialect: "postgres", Schemes: []string{"postgres", "postgresql"},
		Open: open, Classify: classify, Redact: redact,
	})
}

// ParseURL parses a postgres:// or postgresql:// URL (any libpq/pgx parameter). Its error
// never repeats the URL.
func ParseURL(rawURL string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		// pgx redacts passwords only on a best-effort basis; say nothing of the URL.
		return nil, errors.New("PostgreSQL URL does not parse")
	}
	return cfg, nil
}

func open(rawURL string) (*sql.DB, error) {
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(sqldriver.MaxConns)
	db.SetMaxIdleConns(sqldriver.MaxConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	return db, nil
}

func classify(err error) (sqldriver.Class, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return sqldriver.Class{}, false
	}
	return sqldriver.Class{
		Duplicate: pe.Code == "23505",
		Deadlock:  pe.Code == "40P01" || pe.Code == "40001",
		Unavailable: strings.HasPrefix(pe.Code, "08") || // connection exception
			strings.HasPrefix(pe.Code, "40") || // transaction rollback (deadlock, serialization)
			strings.HasPrefix(pe.Code, "53") || // insufficient resources
			strings.HasPrefix(pe.Code, "57") || // operator intervention (cancel, shutdown)
			strings.HasPrefix(pe.Code, "58") || // system error
			pe.Code == "55P03", // lock not available
	}, true
}

// redact hides the data exceptions, which quote input bytes.
func redact(err error) (string, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") {
		return fmt.Sprintf("postgres data exception (SQLSTATE %s)", pe.Code), true
	}
	return "", false
}

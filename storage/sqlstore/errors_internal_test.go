package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/oauthkit/oauthkit/provider"
)

func TestFailWrapsUnavailableOnlyForOutages(t *testing.T) {
	cases := []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"deadline", context.DeadlineExceeded, true},
		{"canceled", fmt.Errorf("query: %w", context.Canceled), true},
		{"bad connection", driver.ErrBadConn, true},
		{"closed pool", sql.ErrConnDone, true},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true},
		{"mysql invalid connection", mysql.ErrInvalidConn, true},
		{"postgres admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"postgres query canceled", &pgconn.PgError{Code: "57014"}, true},
		{"postgres connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"postgres deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"postgres too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"mysql deadlock", &mysql.MySQLError{Number: 1213}, true},
		{"mysql too many connections", &mysql.MySQLError{Number: 1040}, true},
		{"postgres unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"postgres undefined table", &pgconn.PgError{Code: "42P01"}, false},
		{"mysql no such table", &mysql.MySQLError{Number: 1146}, false},
		{"corrupt row", errCorrupt{errors.New("bad json")}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := fail("op", c.err)
			if got := errors.Is(err, provider.ErrUnavailable); got != c.unavailable {
				t.Errorf("errors.Is(fail(%v), ErrUnavailable) = %v, want %v", c.err, got, c.unavailable)
			}
			if !errors.Is(err, c.err) {
				t.Errorf("fail(%v) lost the underlying error", c.err)
			}
		})
	}
}

func TestDuplicateRecognisesEachDialectsUniqueViolation(t *testing.T) {
	for _, err := range []error{&pgconn.PgError{Code: "23505"}, &mysql.MySQLError{Number: 1062}} {
		if !duplicate(fmt.Errorf("wrapped: %w", err)) {
			t.Errorf("duplicate(%v) = false", err)
		}
	}
	for _, err := range []error{&pgconn.PgError{Code: "23503"}, &mysql.MySQLError{Number: 1452}, driver.ErrBadConn} {
		if duplicate(err) {
			t.Errorf("duplicate(%v) = true", err)
		}
	}
}

func TestFailNeverRepeatsAValueQuotedByTheServer(t *testing.T) {
	const secret = "tag-0123456789"
	for _, err := range []error{
		&mysql.MySQLError{Number: 1062, SQLState: [5]byte{'2', '3', '0', '0', '0'}, Message: "Duplicate entry '" + secret + "' for key 'PRIMARY'"},
		&mysql.MySQLError{Number: 1366, Message: "Incorrect string value: '" + secret + "' for column 'subject'"},
		&pgconn.PgError{Code: "22021", Message: "invalid byte sequence for encoding \"UTF8\": " + secret},
	} {
		got := fail("op", err)
		if strings.Contains(got.Error(), secret) {
			t.Errorf("fail(%v) = %q repeats the value", err, got)
		}
		if !errors.Is(got, err) {
			t.Errorf("fail(%v) lost the underlying error", err)
		}
		if strings.Contains(err.Error(), "Duplicate") && !duplicate(got) {
			t.Errorf("duplicate(fail(%v)) = false: redaction hid the error from errors.As", err)
		}
	}
}

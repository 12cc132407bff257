package sqlstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite result codes (https://sqlite.org/rescode.html).
const (
	sqliteBusy          = 5
	sqliteLocked        = 6
	sqliteNoMem         = 7
	sqliteInterrupt     = 9
	sqliteIOErr         = 10
	sqliteFull          = 13
	sqliteCantOpen      = 14
	sqliteConstraintPK  = 1555
	sqliteConstraintUnq = 2067
)

// MySQL/MariaDB server error numbers.
const (
	mysqlDupEntry        = 1062
	mysqlTooManyConns    = 1040
	mysqlServerShutdown  = 1053
	mysqlLockWaitTimeout = 1205
	mysqlDeadlock        = 1213
	mysqlInterrupted     = 1317
	mysqlMaxExecTime     = 3024
	mariaStatementTime   = 1969
)

// duplicate reports whether err is a unique or primary key violation.
func duplicate(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == mysqlDupEntry
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintPK || se.Code() == sqliteConstraintUnq
	}
	return false
}

// deadlock reports whether err is a deadlock or serialization failure that a retry resolves.
func deadlock(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == mysqlDeadlock || me.Number == mysqlLockWaitTimeout
	}
	return false
}

// lockWaitTimeout reports whether err is MySQL's lock wait timeout.
func lockWaitTimeout(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == mysqlLockWaitTimeout
}

// unavailable reports whether err means the database could not be reached or could not
// answer now, as opposed to a definite answer (a constraint, a syntax error, a missing
// table). Anything that is not a server's error (network, deadline, closed connection, closed
// pool) counts as unavailable, and so do the server errors that a retry may cure.
func unavailable(err error) bool {
	var ce errCorrupt
	if errors.As(err, &ce) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "40"), // transaction rollback (deadlock, serialization)
			strings.HasPrefix(pe.Code, "53"), // insufficient resources
			strings.HasPrefix(pe.Code, "57"), // operator intervention (cancel, shutdown)
			strings.HasPrefix(pe.Code, "58"), // system error
			pe.Code == "55P03":               // lock not available
			return true
		}
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case mysqlTooManyConns, mysqlServerShutdown, mysqlLockWaitTimeout, mysqlDeadlock,
			mysqlInterrupted, mysqlMaxExecTime, mariaStatementTime:
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteNoMem, sqliteInterrupt, sqliteIOErr, sqliteFull, sqliteCantOpen:
			return true
		}
		return false
	}
	return true
}

// redacted is a server error whose text may quote a value the store was given (MySQL's
// "Duplicate entry '…'" and "Incorrect string value: '…'", PostgreSQL's data exceptions
// quoting input bytes). Its text keeps only the error's code; the error itself stays
// reachable with errors.As.
type redacted struct {
	text string
	err  error
}

func (r redacted) Error() string { return r.text }
func (r redacted) Unwrap() error { return r.err }

// redact hides the message of server errors that can carry a key, token or other value.
func redact(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return redacted{fmt.Sprintf("mysql error %d (SQLSTATE %s)", me.Number, me.SQLState[:]), err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") { // data exception
		return redacted{fmt.Sprintf("postgres data exception (SQLSTATE %s)", pe.Code), err}
	}
	return err
}

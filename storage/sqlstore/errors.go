package sqlstore

import (
	"errors"

	"github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqldriver"
)

// The driver packages (linked through storage/sqlstore/postgres, …/mysql, …/sqlite) know
// their own error types; these ask them.

// duplicate reports whether err is a unique or primary key violation.
func duplicate(err error) bool {
	c, _ := sqldriver.Classify(err)
	return c.Duplicate
}

// deadlock reports whether err is a deadlock or serialization failure that a retry resolves.
func deadlock(err error) bool {
	c, _ := sqldriver.Classify(err)
	return c.Deadlock
}

// lockWaitTimeout reports whether err is MySQL's lock wait timeout.
func lockWaitTimeout(err error) bool {
	c, _ := sqldriver.Classify(err)
	return c.LockWaitTimeout
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
	if c, ok := sqldriver.Classify(err); ok {
		return c.Unavailable
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
	if text, ok := sqldriver.Redact(err); ok {
		return redacted{text, err}
	}
	return err
}

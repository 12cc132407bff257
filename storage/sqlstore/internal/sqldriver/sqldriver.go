// Package sqldriver is the seam between sqlstore and the database drivers, so that sqlstore
// links none of them: each driver package (pgdriver, mysqldriver, sqlitedriver) registers a
// Driver from init, and a program links the drivers whose packages it imports (through the
// public storage/sqlstore/postgres, …/mysql and …/sqlite).
package sqldriver

import (
	"database/sql"
	"slices"
	"sync"
)

// Class is what a server error means to the store.
type Class struct {
	// Duplicate is a unique or primary key violation.
	Duplicate bool
	// Deadlock is a deadlock or serialization failure that a retry resolves.
	Deadlock bool
	// LockWaitTimeout is MySQL's lock wait timeout.
	LockWaitTimeout bool
	// Unavailable means the database could not answer now (as opposed to a definite answer).
	Unavailable bool
}

// Driver is one dialect's driver-specific code.
type Driver struct {
	// Dialect is sqlstore's Dialect: "sqlite", "postgres" or "mysql".
	Dialect string
	// Schemes are the URL schemes it opens, in lower case.
	Schemes []string
	// Open parses rawURL, without touching the file system or the network, and returns a pool
	// configured for the dialect. Its errors never repeat the URL.
	Open func(rawURL string) (*sql.DB, error)
	// Classify reports what err means if it is, or wraps, this driver's server error; ok is
	// false for any other error.
	Classify func(err error) (c Class, ok bool)
	// Redact returns a text to show instead of err's if err is this driver's server error and
	// its message may quote a value the store was given; ok is false otherwise.
	Redact func(err error) (text string, ok bool)
}

var (
	mu      sync.RWMutex
	drivers []Driver
)

// Register adds d. It panics if d's dialect or one of its schemes is registered already.
func Register(d Driver) {
	mu.Lock()
	defer mu.Unlock()
	for _, o := range drivers {
		if o.Dialect == d.Dialect {
			panic("sqldriver: dialect " + d.Dialect + " registered twice")
		}
		for _, s := range d.Schemes {
			if slices.Contains(o.Schemes, s) {
				panic("sqldriver: scheme " + s + " registered twice")
			}
		}
	}
	drivers = append(drivers, d)
}

// ByScheme returns the driver that opens URLs of scheme (lower case).
func ByScheme(scheme string) (Driver, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, d := range drivers {
		if slices.Contains(d.Schemes, scheme) {
			return d, true
		}
	}
	return Driver{}, false
}

// ByDialect returns the driver of dialect.
func ByDialect(dialect string) (Driver, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, d := range drivers {
		if d.Dialect == dialect {
			return d, true
		}
	}
	return Driver{}, false
}

// Classify asks each registered driver what err means; ok is false if none knows it.
func Classify(err error) (Class, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, d := range drivers {
		if c, ok := d.Classify(err); ok {
			return c, true
		}
	}
	return Class{}, false
}

// Redact asks each registered driver for a safe text for err; ok is false if none has one.
func Redact(err error) (string, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, d := range drivers {
		if t, ok := d.Redact(err); ok {
			return t, true
		}
	}
	return "", false
}

// MaxConns is the pool size the server dialects (PostgreSQL, MySQL) open with, for open and
// idle connections alike; tune it further through sqlstore's DB().
const MaxConns = 16

package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one numbered schema step of one dialect.
type migration struct {
	version    int
	statements []string
}

// migrations returns the steps for dialect in ascending version order, with the table
// prefix filled in. Files are named NNNN_what.sql; statements are separated by a semicolon
// at the end of a line.
func migrations(d Dialect, prefix string) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s has no positive version number", name)
		}
		b, err := migrationFS.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		text := strings.ReplaceAll(string(b), "{{prefix}}", prefix)
		m := migration{version: v}
		for _, stmt := range strings.Split(text, ";\n") {
			if stmt = strings.TrimSpace(stripComments(stmt)); stmt != "" {
				m.statements = append(m.statements, stmt)
			}
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations of %s are not numbered 1, 2, 3…: found %d at position %d", d, m.version, i+1)
		}
	}
	return out, nil
}

// stripComments removes whole-line "--" comments.
func stripComments(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// SchemaVersion is the newest schema version this code knows.
func SchemaVersion() int { return schemaVersion }

var schemaVersion = func() int {
	m, err := migrations(SQLite, "")
	if err != nil {
		panic("sqlstore: embedded migrations: " + err.Error()) // a build defect, caught by every test
	}
	return len(m)
}()

// ErrSchemaTooNew is returned (wrapped) by Migrate when the database was migrated by newer
// code than this: its schema version is above SchemaVersion. Upgrade the code, never the
// other way round.
var ErrSchemaTooNew = errors.New("sqlstore: database schema is newer than this code")

// Migrate brings the schema up to SchemaVersion, applying the embedded migrations the
// database has not seen and recording each in the <prefix>schema_version table. Running it
// on a current schema is a no-op.
//
// Several nodes may run Migrate at once: they serialize on a lock (pg_advisory_lock on
// PostgreSQL, GET_LOCK on MySQL/MariaDB, an IMMEDIATE transaction on SQLite), and every one
// after the first finds nothing to do. A database whose version is newer than this code
// returns an error wrapping ErrSchemaTooNew and changes nothing.
func (s *Store) Migrate(ctx context.Context) error {
	steps, err := migrations(s.dialect, s.prefix)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fail("migrate", err)
	}
	defer conn.Close()

	unlock, err := s.lockSchema(ctx, conn)
	if err != nil {
		return fail("migrate: lock", err)
	}
	err = s.migrateLocked(ctx, conn, steps)
	if uerr := unlock(); uerr != nil {
		// A session lock must not go back to the pool with the connection: discard the
		// connection, which ends its session and so releases the lock.
		conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck // the discard is the point
		if err == nil {
			err = fail("migrate: unlock", uerr)
		}
	}
	return err
}

// lockSchema takes the dialect's migration lock on conn and returns its release.
func (s *Store) lockSchema(ctx context.Context, conn *sql.Conn) (func() error, error) {
	h := fnv.New64a()
	h.Write([]byte("oauthkit/sqlstore/" + s.prefix))
	id := int64(h.Sum64())
	switch s.dialect {
	case Postgres:
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", id); err != nil {
			return nil, err
		}
		return func() error {
			_, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", id)
			return err
		}, nil
	case MySQL:
		name := fmt.Sprintf("oauthkit_sqlstore_%016x", uint64(id))
		wait := int64(60)
		if dl, ok := ctx.Deadline(); ok {
			wait = max(int64(time.Until(dl)/time.Second), 1)
		}
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, wait).Scan(&got); err != nil {
			return nil, err
		}
		if !got.Valid || got.Int64 != 1 {
			return nil, errors.New("timed out waiting for the migration lock")
		}
		return func() error {
			_, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", name)
			return err
		}, nil
	default: // SQLite: the write lock of an IMMEDIATE transaction; the busy timeout waits for it
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return nil, err
		}
		return func() error { return nil }, nil // migrateLocked commits or rolls back
	}
}

func (s *Store) migrateLocked(ctx context.Context, conn *sql.Conn, steps []migration) (err error) {
	table := s.prefix + "schema_version"
	if s.dialect == SQLite {
		// Everything runs inside the IMMEDIATE transaction lockSchema began.
		defer func() {
			if err != nil {
				conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the error already reported wins
				return
			}
			if _, cerr := conn.ExecContext(ctx, "COMMIT"); cerr != nil {
				err = fail("migrate: commit", cerr)
			}
		}()
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+table+
		" (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)"); err != nil {
		return fail("migrate: create "+table, err)
	}
	var current sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT MAX(version) FROM "+table).Scan(&current); err != nil {
		return fail("migrate: read version", err)
	}
	have := int(current.Int64)
	if have > len(steps) {
		return fmt.Errorf("sqlstore: migrate: %w: database is at version %d, this code knows up to %d",
			ErrSchemaTooNew, have, len(steps))
	}
	insert := "INSERT INTO " + table + " (version, applied_at) VALUES (?, ?)"
	if s.dialect == Postgres {
		insert = rebind(insert)
	}
	for _, m := range steps[have:] {
		if err := s.apply(ctx, conn, m, insert); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "sqlstore: schema migrated", "dialect", string(s.dialect), "version", m.version)
	}
	return nil
}

// apply runs one migration and records it. On PostgreSQL both happen in one transaction;
// MySQL commits DDL implicitly, so there a failed step must be repaired by hand (the
// statements are plain CREATEs, so the error names what exists); on SQLite the enclosing
// transaction covers it.
func (s *Store) apply(ctx context.Context, conn *sql.Conn, m migration, insert string) error {
	run := func(q string, args ...any) error {
		_, err := conn.ExecContext(ctx, q, args...)
		return err
	}
	var tx *sql.Tx
	if s.dialect == Postgres {
		var err error
		if tx, err = conn.BeginTx(ctx, nil); err != nil {
			return fail("migrate: begin", err)
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		run = func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}
	}
	for i, q := range m.statements {
		if err := run(q); err != nil {
			return fail(fmt.Sprintf("migrate: version %d statement %d", m.version, i+1), err)
		}
	}
	if err := run(insert, m.version, s.nowMS()); err != nil {
		return fail(fmt.Sprintf("migrate: record version %d", m.version), err)
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return fail("migrate: commit", err)
		}
	}
	return nil
}

package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

// versions returns the recorded schema versions of s, in order.
func versions(t *testing.T, s *sqlstore.Store, prefix string) []int {
	t.Helper()
	rows, err := s.DB().QueryContext(t.Context(), "SELECT version FROM "+prefix+"schema_version ORDER BY version")
	if err != nil {
		t.Fatalf("read schema_version: %v", err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

func wantAllVersions(t *testing.T, got []int) {
	t.Helper()
	if len(got) != sqlstore.SchemaVersion() {
		t.Fatalf("schema_version holds %v, want versions 1 to %d once each", got, sqlstore.SchemaVersion())
	}
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("schema_version holds %v, want versions 1 to %d once each", got, sqlstore.SchemaVersion())
		}
	}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			prefix := randomPrefix()
			s := open(t, b, b.url(t), sqlstore.Options{TablePrefix: prefix})
			roundTripClient(t, s)
			for range 2 {
				if err := s.Migrate(t.Context()); err != nil {
					t.Fatalf("Migrate of a current schema: %v", err)
				}
			}
			wantAllVersions(t, versions(t, s, prefix))
			roundTripClient(t, s) // the data survived
		})
	}
}

// TestMigrateFromManyNodesAtOnceAppliesEachVersionOnce starts several stores, each with its
// own connection pool as separate nodes would have, on one fresh schema and migrates them
// concurrently: all succeed, and each version is applied and recorded once.
func TestMigrateFromManyNodesAtOnceAppliesEachVersionOnce(t *testing.T) {
	for _, b := range backends {
		if b.name == "sqlite-memory" {
			continue // an in-memory database cannot be shared by two stores
		}
		t.Run(b.name, func(t *testing.T) {
			const nodes = 8
			url, prefix := b.url(t), randomPrefix()
			stores := make([]*sqlstore.Store, nodes)
			for i := range stores {
				s, err := sqlstore.Open(t.Context(), url, sqlstore.Options{TablePrefix: prefix})
				if err != nil {
					t.Fatal(err)
				}
				stores[i] = s
				t.Cleanup(func() { s.Close() })
			}
			if b.shared {
				t.Cleanup(func() { dropTables(t, stores[0], prefix) })
			}
			errs := make([]error, nodes)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, s := range stores {
				wg.Go(func() {
					<-start
					errs[i] = s.Migrate(t.Context())
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("concurrent Migrate: %v", err)
			}
			wantAllVersions(t, versions(t, stores[0], prefix))
			for _, s := range stores {
				roundTripClient(t, s)
			}
		})
	}
}

func TestMigrateRefusesADatabaseNewerThanTheCode(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			prefix := randomPrefix()
			s := open(t, b, b.url(t), sqlstore.Options{TablePrefix: prefix})
			newer := sqlstore.SchemaVersion() + 1
			q := fmt.Sprintf("INSERT INTO %sschema_version (version, applied_at) VALUES (%d, 0)", prefix, newer)
			if _, err := s.DB().ExecContext(t.Context(), q); err != nil {
				t.Fatal(err)
			}
			err := s.Migrate(t.Context())
			if !errors.Is(err, sqlstore.ErrSchemaTooNew) {
				t.Fatalf("Migrate of a database at version %d: got %v, want ErrSchemaTooNew", newer, err)
			}
			if err := s.Migrate(context.WithoutCancel(t.Context())); !errors.Is(err, sqlstore.ErrSchemaTooNew) {
				t.Fatalf("second Migrate: got %v, want ErrSchemaTooNew (and the lock released)", err)
			}
		})
	}
}

func TestStoreWithoutMigrateFailsClearly(t *testing.T) {
	s, err := sqlstore.Open(t.Context(), "sqlite://:memory:", sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Client(t.Context(), "x")
	if err == nil {
		t.Fatal("Client on an unmigrated database succeeded")
	}
}

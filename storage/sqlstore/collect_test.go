package sqlstore_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// fill creates n access tokens in s expiring at exp, eight writers at a time, and returns
// their keys.
func fill(t *testing.T, s *sqlstore.Store, n int, now, exp time.Time) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%s-%d", randomPrefix(), i)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				r := &provider.Record{Kind: provider.AccessToken, Key: keys[i], GrantID: "g" + keys[i],
					ClientID: "c", IssuedAt: now, ExpiresAt: exp}
				if err := s.CreateToken(t.Context(), r); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	return keys
}

// smallBatches makes Collect delete 50 rows per statement in stores made during the test.
func smallBatches(t *testing.T) {
	t.Cleanup(sqlstore.SetCollectBatch(50))
}

func TestCollectDeletesExpiredRowsInBatchesAndKeepsLiveOnes(t *testing.T) {
	smallBatches(t)
	const expired, live = 2*50 + 7, 5 // more than two batches
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			clock := storagetest.NewClock()
			s := open(t, b, b.url(t), sqlstore.Options{Now: clock.Now})
			now := clock.Now()
			fill(t, s, expired, now, now.Add(time.Minute))
			liveKeys := fill(t, s, live, now, now.Add(time.Hour))
			for i := range 3 {
				if err := s.Deny(t.Context(), fmt.Sprint("old-jti-", i), now.Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Deny(t.Context(), "live-jti", now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}

			if n, err := s.Collect(t.Context()); err != nil || n != 0 {
				t.Fatalf("Collect before anything expired: got (%d, %v), want (0, nil)", n, err)
			}
			clock.Advance(time.Minute) // expiry is at ExpiresAt exactly
			n, err := s.Collect(t.Context())
			if err != nil || n != expired+3 {
				t.Fatalf("Collect: got (%d, %v), want (%d, nil)", n, err, expired+3)
			}
			if n, err := s.Collect(t.Context()); err != nil || n != 0 {
				t.Fatalf("second Collect: got (%d, %v), want (0, nil)", n, err)
			}
			for _, k := range liveKeys {
				if _, err := s.Token(t.Context(), provider.AccessToken, k); err != nil {
					t.Fatalf("a live token was collected: %v", err)
				}
			}
			if ok, err := s.Denied(t.Context(), "live-jti"); err != nil || !ok {
				t.Fatalf("a live deny-list entry was collected: (%v, %v)", ok, err)
			}
		})
	}
}

// TestCollectorsOnSeveralNodesDeleteEachRowOnce runs Collect from several stores (separate
// connection pools, as separate nodes) on one database at once: they all succeed, together
// they delete every expired row, and no row is counted twice.
func TestCollectorsOnSeveralNodesDeleteEachRowOnce(t *testing.T) {
	smallBatches(t)
	const expired, nodes = 20 * 50, 4
	for _, b := range backends {
		if b.name == "sqlite-memory" {
			continue // an in-memory database cannot be shared by two stores
		}
		t.Run(b.name, func(t *testing.T) {
			clock := storagetest.NewClock()
			url, prefix := b.url(t), randomPrefix()
			opts := sqlstore.Options{Now: clock.Now, TablePrefix: prefix}
			first := open(t, b, url, opts)
			fill(t, first, expired, clock.Now(), clock.Now().Add(time.Minute))
			clock.Advance(time.Hour)

			stores := []*sqlstore.Store{first}
			for range nodes - 1 {
				s, err := sqlstore.Open(t.Context(), url, opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				stores = append(stores, s)
			}
			var total atomic.Int64
			errs := make([]error, nodes)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, s := range stores {
				wg.Go(func() {
					<-start
					n, err := s.Collect(t.Context())
					total.Add(int64(n))
					errs[i] = err
				})
			}
			close(start)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("concurrent Collect: %v", err)
			}
			if n, err := first.Collect(t.Context()); err != nil || n != 0 {
				t.Fatalf("Collect after the concurrent ones: got (%d, %v), want (0, nil): rows were left", n, err)
			}
			if total.Load() != expired {
				t.Fatalf("concurrent collectors reported %d deletions, want %d", total.Load(), expired)
			}
		})
	}
}

// TestCollectDeletesInBatches checks, by counting statements, that Collect deletes at most a
// batch per DELETE and stops at the first short batch.
func TestCollectDeletesInBatches(t *testing.T) {
	smallBatches(t)
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			clock := storagetest.NewClock()
			s, c := openCounting(t, b, sqlstore.Options{Now: clock.Now})
			fill(t, s, 2*50+7, clock.Now(), clock.Now().Add(time.Minute))
			clock.Advance(time.Hour)
			before := c.stmts.Load()
			n, err := s.Collect(t.Context())
			if err != nil || n != 2*50+7 {
				t.Fatalf("Collect: got (%d, %v), want (%d, nil)", n, err, 2*50+7)
			}
			// Tokens: 50, 50, 7; grant and client revocation marks: 0, 0; the deny list: 0.
			if got := c.stmts.Load() - before; got != 6 {
				t.Fatalf("Collect of 107 rows in batches of 50 ran %d statements, want 6", got)
			}
		})
	}
}

package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
		s := memstore.New(memstore.Options{Now: now})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// sweepers counts the goroutines that New started and that are still alive (started or not).
func sweepers() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Count(buf[:n], []byte("created by github.com/oauthkit/oauthkit/storage/memstore.New in "))
		}
		buf = make([]byte, 2*len(buf))
	}
}

func TestCloseStopsSweeperGoroutine(t *testing.T) {
	before := sweepers()
	stores := make([]*memstore.Store, 5)
	for i := range stores {
		stores[i] = memstore.New(memstore.Options{SweepInterval: time.Millisecond})
	}
	if got := sweepers(); got != before+len(stores) {
		t.Fatalf("%d sweepers after New, want %d", got, before+len(stores))
	}
	for _, s := range stores {
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	// Close waits for the sweeper to return; it may take the runtime a moment to reap it.
	for i := 0; sweepers() != before; i++ {
		if i == 1000 {
			t.Fatalf("%d sweepers still running after Close, want %d", sweepers(), before)
		}
		runtime.Gosched()
	}
}

func TestCloseIsIdempotentAndSafeConcurrently(t *testing.T) {
	s := memstore.New(memstore.Options{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Fatalf("Close after Close: %v", err)
	}
}

func TestStoreStaysUsableAndHonoursExpiryAfterClose(t *testing.T) {
	clock := storagetest.NewClock()
	s := memstore.New(memstore.Options{Now: clock.Now})
	s.Close()
	ctx := t.Context()
	r := record(clock, "k", "g", time.Minute)
	if err := s.CreateToken(ctx, r); err != nil {
		t.Fatalf("CreateToken after Close: %v", err)
	}
	if _, err := s.Token(ctx, r.Kind, r.Key); err != nil {
		t.Fatalf("Token after Close: %v", err)
	}
	clock.Advance(time.Minute)
	if _, err := s.Token(ctx, r.Kind, r.Key); err == nil {
		t.Fatal("an expired record reads after Close")
	}
}

func record(clock *storagetest.Clock, key, grant string, ttl time.Duration) *provider.Record {
	return &provider.Record{Kind: provider.AccessToken, Key: key, GrantID: grant, ExpiresAt: clock.Now().Add(ttl)}
}

func TestCollectDeletesExactlyTheExpiredEntries(t *testing.T) {
	clock := storagetest.NewClock()
	s := memstore.New(memstore.Options{Now: clock.Now})
	defer s.Close()
	ctx := t.Context()
	for _, r := range []*provider.Record{
		record(clock, "short-1", "g1", time.Minute),
		record(clock, "short-2", "g2", time.Minute),
		record(clock, "long", "g1", time.Hour),
	} {
		if err := s.CreateToken(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Deny(ctx, "jti-short", clock.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.Deny(ctx, "jti-long", clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		advance time.Duration
		want    int
	}{
		{time.Minute - time.Millisecond, 0},
		{time.Millisecond, 3}, // expired at ExpiresAt exactly: two records, one jti
		{0, 0},
		{time.Hour, 2},
	} {
		clock.Advance(tc.advance)
		n, err := s.Collect(ctx)
		if err != nil || n != tc.want {
			t.Fatalf("Collect after %v more: got (%d, %v), want %d", tc.advance, n, err, tc.want)
		}
	}
}

// records is a slog.Handler that keeps what is logged.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
	c    chan struct{}
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *records) WithGroup(string) slog.Handler            { return h }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.recs = append(h.recs, r)
	h.mu.Unlock()
	select {
	case h.c <- struct{}{}:
	default:
	}
	return nil
}

func TestSweeperDeletesExpiredEntriesInBackground(t *testing.T) {
	clock := storagetest.NewClock()
	h := &records{c: make(chan struct{}, 1)}
	s := memstore.New(memstore.Options{Now: clock.Now, SweepInterval: time.Millisecond, Logger: slog.New(h)})
	defer s.Close()
	ctx := t.Context()
	for _, key := range []string{"a", "b", "c"} {
		if err := s.CreateToken(ctx, record(clock, key, "g", time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	select {
	case <-h.c:
	case <-time.After(10 * time.Second): // a real ticker, not the test's clock, drives the sweeper
		t.Fatal("the sweeper logged nothing within 10s")
	}
	h.mu.Lock()
	r := h.recs[0]
	h.mu.Unlock()
	var count int64
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "count" {
			count = a.Value.Int64()
		}
		return true
	})
	if r.Level != slog.LevelDebug || count != 3 {
		t.Fatalf("sweeper logged %v %q count=%d, want a debug line with count=3", r.Level, r.Message, count)
	}
	if n, _ := s.Collect(ctx); n != 0 {
		t.Fatalf("Collect after the sweep deleted %d more, want 0", n)
	}
}

func TestZeroOptionsUseRealTime(t *testing.T) {
	s := memstore.New(memstore.Options{})
	defer s.Close()
	ctx := t.Context()
	past := &provider.Record{Kind: provider.AccessToken, Key: "past", GrantID: "g", ExpiresAt: time.Now().Add(-time.Second)}
	future := &provider.Record{Kind: provider.AccessToken, Key: "future", GrantID: "g", ExpiresAt: time.Now().Add(time.Hour)}
	for _, r := range []*provider.Record{past, future} {
		if err := s.CreateToken(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Token(ctx, past.Kind, past.Key); err == nil {
		t.Error("a record that expired a second ago (by time.Now) reads")
	}
	if _, err := s.Token(ctx, future.Kind, future.Key); err != nil {
		t.Errorf("a record that expires in an hour (by time.Now): %v", err)
	}
}

// TestCollectOverManyBatchesWithConcurrentWritersLosesNothing sweeps a store bigger than one
// batch while other goroutines create and read records, and checks that exactly the expired
// entries went and everything live stayed.
func TestCollectOverManyBatchesWithConcurrentWritersLosesNothing(t *testing.T) {
	clock := storagetest.NewClock()
	s := memstore.New(memstore.Options{Now: clock.Now})
	defer s.Close()
	ctx := t.Context()
	const n = 5000
	var live []*provider.Record
	for i := range n {
		short := record(clock, fmt.Sprint("short-", i), fmt.Sprint("g-", i%7), time.Minute)
		long := record(clock, fmt.Sprint("long-", i), fmt.Sprint("g-", i%7), time.Hour)
		for _, r := range []*provider.Record{short, long} {
			if err := s.CreateToken(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		live = append(live, long)
		if err := s.Deny(ctx, fmt.Sprint("jti-", i), clock.Now().Add(time.Duration(1+i%2)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)

	var wg sync.WaitGroup
	added := make([][]*provider.Record, 4)
	start := make(chan struct{})
	for w := range added {
		wg.Go(func() {
			<-start
			for i := range 500 {
				r := record(clock, fmt.Sprint("new-", w, "-", i), "g-new", time.Hour)
				if err := s.CreateToken(ctx, r); err != nil {
					t.Error(err)
					return
				}
				added[w] = append(added[w], r)
				if _, err := s.Token(ctx, live[i].Kind, live[i].Key); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	close(start)
	got, err := s.Collect(ctx)
	wg.Wait()
	if err != nil || got != n+n/2 {
		t.Fatalf("Collect = (%d, %v), want %d: the short records and half the jtis", got, err, n+n/2)
	}
	for _, rs := range append(added, live) {
		for _, r := range rs {
			if _, err := s.Token(ctx, r.Kind, r.Key); err != nil {
				t.Fatalf("a live record is gone after Collect: %v", err)
			}
		}
	}
}

func TestCollectStopsWhenContextIsDone(t *testing.T) {
	clock := storagetest.NewClock()
	s := memstore.New(memstore.Options{Now: clock.Now})
	defer s.Close()
	for i := range 5000 {
		if err := s.CreateToken(t.Context(), record(clock, fmt.Sprint(i), "g", time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	n, err := s.Collect(ctx)
	if !errors.Is(err, context.Canceled) || n == 0 || n >= 5000 {
		t.Fatalf("Collect with a cancelled context = (%d, %v), want a first batch and context.Canceled", n, err)
	}
	rest, err := s.Collect(t.Context())
	if err != nil || n+rest != 5000 {
		t.Fatalf("second Collect = (%d, %v), want the remaining %d", rest, err, 5000-n)
	}
}

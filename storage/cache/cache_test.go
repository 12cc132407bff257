package cache_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/cache"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
		return newCache(t, memstore.New(memstore.Options{Now: now}), cache.Options{})
	})
}

// newCache wraps base and closes both when the test ends.
func newCache(t testing.TB, base provider.Store, opts cache.Options) *cache.Store {
	t.Helper()
	c, err := cache.New(base, opts)
	if err != nil {
		t.Fatalf("cache.New: %v", err)
	}
	t.Cleanup(func() {
		c.Close()
		if cl, ok := provider.As[interface{ Close() error }](base); ok {
			cl.Close()
		}
	})
	return c
}

// counting is a real memstore that counts the calls the cache passes through to it, and can
// hold a Client read after it has read the store, to let a test interleave a write.
type counting struct {
	*memstore.Store
	clients, keySets, tokens, redeems, denied atomic.Int64

	// If pause is set, Client signals read after it has read the store and waits for resume.
	pause        atomic.Bool
	read, resume chan struct{}
}

func newCounting() *counting {
	return &counting{Store: memstore.New(memstore.Options{}), read: make(chan struct{}), resume: make(chan struct{})}
}

func (c *counting) Client(ctx context.Context, id string) (*provider.Client, error) {
	c.clients.Add(1)
	cl, err := c.Store.Client(ctx, id)
	if c.pause.Load() {
		c.read <- struct{}{}
		<-c.resume
	}
	return cl, err
}

func (c *counting) KeySet(ctx context.Context, name string) (*provider.KeySet, error) {
	c.keySets.Add(1)
	return c.Store.KeySet(ctx, name)
}

func (c *counting) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	c.tokens.Add(1)
	return c.Store.Token(ctx, kind, key)
}

func (c *counting) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	c.redeems.Add(1)
	return c.Store.RedeemCode(ctx, key)
}

func (c *counting) Denied(ctx context.Context, jti string) (bool, error) {
	c.denied.Add(1)
	return c.Store.Denied(ctx, jti)
}

func mustClient(t *testing.T, s provider.ClientReader, id, wantName string) *provider.Client {
	t.Helper()
	c, err := s.Client(t.Context(), id)
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	if c.Name != wantName {
		t.Fatalf("Client returned name %q, want %q", c.Name, wantName)
	}
	return c
}

func TestCachedClientReadDoesNotTouchTheStore(t *testing.T) {
	base := newCounting()
	s := newCache(t, base, cache.Options{})
	ctx := t.Context()
	if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "v1"}); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		mustClient(t, s, "app", "v1")
	}
	if n := base.clients.Load(); n != 1 {
		t.Fatalf("100 reads of one client reached the store %d times, want 1", n)
	}

	set := &provider.KeySet{Name: "default", Keys: []provider.Key{{ID: "k1", State: provider.KeyActive}}}
	if err := s.SaveKeySet(ctx, set); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := s.KeySet(ctx, "default"); err != nil {
			t.Fatal(err)
		}
	}
	if n := base.keySets.Load(); n != 1 {
		t.Fatalf("100 reads of one key set reached the store %d times, want 1", n)
	}
}

func TestMissingClientIsNotCached(t *testing.T) {
	base := newCounting()
	s := newCache(t, base, cache.Options{})
	ctx := t.Context()
	if _, err := s.Client(ctx, "later"); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("Client of an unknown ID: %v, want ErrNotFound", err)
	}
	// Registered behind the cache's back (another node): found at once, not after a TTL.
	if err := base.CreateClient(ctx, &provider.Client{ID: "later", Name: "v1"}); err != nil {
		t.Fatal(err)
	}
	mustClient(t, s, "later", "v1")
}

func TestEachWriteThroughTheCacheInvalidatesItsEntry(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, s *cache.Store, base *counting)
		check func(t *testing.T, s *cache.Store)
	}{
		{"UpdateClient", func(t *testing.T, s *cache.Store, _ *counting) {
			if err := s.UpdateClient(ctx, &provider.Client{ID: "app", Name: "v2"}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *cache.Store) { mustClient(t, s, "app", "v2") }},
		{"DeleteClient", func(t *testing.T, s *cache.Store, _ *counting) {
			if err := s.DeleteClient(ctx, "app"); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *cache.Store) {
			if _, err := s.Client(ctx, "app"); !errors.Is(err, provider.ErrNotFound) {
				t.Fatalf("Client after DeleteClient: %v, want ErrNotFound", err)
			}
		}},
		{"CreateClient", func(t *testing.T, s *cache.Store, base *counting) {
			// Deleted behind the cache's back, so the cache still holds v1; created again
			// through the cache.
			if err := base.DeleteClient(ctx, "app"); err != nil {
				t.Fatal(err)
			}
			mustClient(t, s, "app", "v1")
			if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "v3"}); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *cache.Store) { mustClient(t, s, "app", "v3") }},
		{"SaveKeySet", func(t *testing.T, s *cache.Store, _ *counting) {
			set, err := s.KeySet(ctx, "default")
			if err != nil {
				t.Fatal(err)
			}
			set.Keys = append(set.Keys, provider.Key{ID: "k2", State: provider.KeyNext})
			if err := s.SaveKeySet(ctx, set); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, s *cache.Store) {
			set, err := s.KeySet(ctx, "default")
			if err != nil || set.Version != 2 || len(set.Keys) != 2 {
				t.Fatalf("KeySet after SaveKeySet: (%+v, %v), want version 2 with 2 keys", set, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := newCounting()
			s := newCache(t, base, cache.Options{})
			if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "v1"}); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveKeySet(ctx, &provider.KeySet{Name: "default", Keys: []provider.Key{{ID: "k1"}}}); err != nil {
				t.Fatal(err)
			}
			mustClient(t, s, "app", "v1") // now cached
			if _, err := s.KeySet(ctx, "default"); err != nil {
				t.Fatal(err)
			}
			tc.write(t, s, base)
			tc.check(t, s)
		})
	}
}

func TestWritesBehindTheCacheAreServedStaleUntilTheTTL(t *testing.T) {
	// The other side of TestEachWriteThroughTheCacheInvalidatesItsEntry: it proves the
	// entry really is served from memory.
	base := newCounting()
	s := newCache(t, base, cache.Options{TTL: time.Hour})
	ctx := t.Context()
	if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "v1"}); err != nil {
		t.Fatal(err)
	}
	mustClient(t, s, "app", "v1")
	if err := base.UpdateClient(ctx, &provider.Client{ID: "app", Name: "v2"}); err != nil {
		t.Fatal(err)
	}
	mustClient(t, s, "app", "v1")
}

func TestReadThatRacedAWriteDoesNotPutTheOldValueBack(t *testing.T) {
	base := newCounting()
	s := newCache(t, base, cache.Options{TTL: time.Hour})
	ctx := t.Context()
	if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "v1"}); err != nil {
		t.Fatal(err)
	}
	// A read misses and fetches v1 from the store, and is held there…
	base.pause.Store(true)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if c, err := s.Client(ctx, "app"); err != nil || c.Name != "v1" {
			t.Errorf("the racing read: (%v, %v), want v1", c, err)
		}
	}()
	<-base.read
	base.pause.Store(false)
	// …while a write replaces it and returns…
	if err := s.UpdateClient(ctx, &provider.Client{ID: "app", Name: "v2"}); err != nil {
		t.Fatal(err)
	}
	// …and only then does the read finish and offer v1 to the cache.
	base.resume <- struct{}{}
	<-done
	mustClient(t, s, "app", "v2")
}

func TestConcurrentReadsAndWritesNeverServeAReplacedValue(t *testing.T) {
	base := newCounting()
	s := newCache(t, base, cache.Options{TTL: time.Hour})
	ctx := t.Context()
	if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "0"}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Client(ctx, "app"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 1; i <= 300; i++ {
		name := fmt.Sprint(i)
		if err := s.UpdateClient(ctx, &provider.Client{ID: "app", Name: name}); err != nil {
			t.Fatal(err)
		}
		mustClient(t, s, "app", name)
	}
	close(stop)
	wg.Wait()
}

func TestReturnedValuesAreCopies(t *testing.T) {
	s := newCache(t, newCounting(), cache.Options{})
	ctx := t.Context()
	if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "v1", Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveKeySet(ctx, &provider.KeySet{Name: "default", Keys: []provider.Key{{ID: "k1", Sealed: []byte{1}}}}); err != nil {
		t.Fatal(err)
	}
	for range 3 { // the first read fills the cache; the others are hits
		c := mustClient(t, s, "app", "v1")
		if c.Scopes[0] != "openid" {
			t.Fatalf("a cached client was changed through a returned copy: %q", c.Scopes)
		}
		c.Name, c.Scopes[0] = "mallory", "admin"
		set, err := s.KeySet(ctx, "default")
		if err != nil {
			t.Fatal(err)
		}
		if set.Keys[0].Sealed[0] != 1 || set.Keys[0].ID != "k1" {
			t.Fatalf("a cached key set was changed through a returned copy: %+v", set.Keys[0])
		}
		set.Keys[0].ID, set.Keys[0].Sealed[0] = "evil", 9
	}
}

func TestTokensRedemptionsAndDenyListAreNeverCached(t *testing.T) {
	base := newCounting()
	s := newCache(t, base, cache.Options{})
	ctx := t.Context()
	now := time.Now()
	r := &provider.Record{Kind: provider.AccessToken, Key: "tag", GrantID: "g", ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateToken(ctx, r); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Token(ctx, r.Kind, r.Key); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.Denied(ctx, "jti"); err != nil || ok {
			t.Fatalf("Denied: (%v, %v)", ok, err)
		}
	}
	if base.tokens.Load() != 3 || base.denied.Load() != 3 {
		t.Fatalf("3 Token and 3 Denied calls reached the store %d and %d times, want 3 and 3",
			base.tokens.Load(), base.denied.Load())
	}
	// Revoked and denied behind the cache: seen at once.
	if err := base.RevokeGrant(ctx, "g"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, r.Kind, r.Key); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("Token after revocation: %v, want ErrNotFound", err)
	}
	if err := base.Deny(ctx, "jti", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Denied(ctx, "jti"); err != nil || !ok {
		t.Fatalf("Denied after Deny: (%v, %v), want true", ok, err)
	}
	code := &provider.Record{Kind: provider.AuthorizationCode, Key: "code", GrantID: "g2", ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateToken(ctx, code); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemCode(ctx, code.Key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemCode(ctx, code.Key); !errors.Is(err, provider.ErrAlreadyUsed) {
		t.Fatalf("second RedeemCode: %v, want ErrAlreadyUsed", err)
	}
	if base.redeems.Load() != 2 {
		t.Fatalf("2 RedeemCode calls reached the store %d times", base.redeems.Load())
	}
}

func TestUnwrapReachesTheWrappedStoresCapabilities(t *testing.T) {
	base := memstore.New(memstore.Options{})
	s := newCache(t, base, cache.Options{})
	if s.Unwrap() != any(base) {
		t.Fatal("Unwrap does not return the wrapped store")
	}
	if _, ok := provider.As[provider.Collector](s); !ok {
		t.Fatal("provider.As does not find the memstore's Collector behind the cache")
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	base := memstore.New(memstore.Options{})
	defer base.Close()
	for name, tc := range map[string]struct {
		store provider.Store
		opts  cache.Options
	}{
		"a nil store":     {nil, cache.Options{}},
		"a negative cost": {base, cache.Options{MaxCost: -1}},
		"a negative TTL":  {base, cache.Options{TTL: -time.Second}},
	} {
		if _, err := cache.New(tc.store, tc.opts); !errors.Is(err, provider.ErrInvalid) {
			t.Errorf("New with %s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestReadsAfterCloseGoToTheStore(t *testing.T) {
	base := newCounting()
	s := newCache(t, base, cache.Options{})
	ctx := t.Context()
	if err := s.CreateClient(ctx, &provider.Client{ID: "app", Name: "v1"}); err != nil {
		t.Fatal(err)
	}
	mustClient(t, s, "app", "v1")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateClient(ctx, &provider.Client{ID: "app", Name: "v2"}); err != nil {
		t.Fatal(err)
	}
	mustClient(t, s, "app", "v2")
}

func TestCloseStopsTheCachesGoroutines(t *testing.T) {
	base := memstore.New(memstore.Options{})
	defer base.Close()
	before := runtime.NumGoroutine()
	for range 5 {
		c, err := cache.New(base, cache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.CreateClient(t.Context(), &provider.Client{ID: "app"}); err != nil && !errors.Is(err, provider.ErrConflict) {
			t.Fatal(err)
		}
		if _, err := c.Client(t.Context(), "app"); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after closing five caches, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond) // waiting for goroutines to exit, not for the clock
	}
}

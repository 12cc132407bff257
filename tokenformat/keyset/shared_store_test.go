package keyset_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// sharedBackend opens n connections ("servers") to one real back end, isolated from every
// other test, and cleans up afterwards.
type sharedBackend struct {
	name string
	open func(t *testing.T, n int) []provider.KeyStore
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sqlBackend(name string, url func(t *testing.T) string, server bool) sharedBackend {
	return sharedBackend{name, func(t *testing.T, n int) []provider.KeyStore {
		u := url(t)
		var opts sqlstore.Options
		if server {
			opts.TablePrefix = "k" + randomName() + "_"
		}
		var out []provider.KeyStore
		for i := range n {
			s, err := sqlstore.Open(t.Context(), u, opts)
			if err != nil {
				t.Fatalf("open %s: %v", name, err)
			}
			t.Cleanup(func() { _ = s.Close() }) // cleanups run last-in first-out: after the DROP
			if i == 0 {
				if err := s.Migrate(t.Context()); err != nil {
					t.Fatalf("migrate %s: %v", name, err)
				}
				if server {
					t.Cleanup(func() {
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						defer cancel()
						for _, tbl := range []string{"tokens", "clients", "deny_list", "key_sets", "schema_version"} {
							if _, err := s.DB().ExecContext(ctx, "DROP TABLE IF EXISTS "+opts.TablePrefix+tbl); err != nil {
								t.Errorf("drop %s%s: %v", opts.TablePrefix, tbl, err)
							}
						}
					})
				}
			}
			out = append(out, s)
		}
		return out
	}}
}

func sqlProbe(ctx context.Context, url string) error {
	s, err := sqlstore.Open(ctx, url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

func redisBackend(name string, url func(t *testing.T) string) sharedBackend {
	return sharedBackend{name, func(t *testing.T, n int) []provider.KeyStore {
		u := url(t)
		prefix := "oauthkit-keyset-test-" + randomName()
		var out []provider.KeyStore
		for i := range n {
			s, err := redisstore.Open(t.Context(), u, redisstore.Options{Prefix: prefix})
			if err != nil {
				t.Fatalf("open %s: %v", name, err)
			}
			t.Cleanup(func() { _ = s.Close() }) // cleanups run last-in first-out: after the delete
			if i == 0 {
				t.Cleanup(func() { deleteRedisPrefix(t, s.Redis(), prefix) })
			}
			out = append(out, s)
		}
		return out
	}}
}

func redisProbe(url string) func(ctx context.Context, _ string) error {
	return func(ctx context.Context, _ string) error {
		s, err := redisstore.Open(ctx, url, redisstore.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		if c, ok := s.Redis().(*redis.ClusterClient); ok {
			return c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() })
		}
		return nil
	}
}

func deleteRedisPrefix(t *testing.T, c redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clean := func(ctx context.Context, n *redis.Client) error {
		iter := n.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := n.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	switch c := c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, clean)
	case *redis.Client:
		err = clean(ctx, c)
	}
	if err != nil {
		t.Errorf("deleting the test's keys: %v", err)
	}
}

var sharedBackends = []sharedBackend{
	sqlBackend("sqlite-file", func(t *testing.T) string {
		return "sqlite://" + filepath.ToSlash(filepath.Join(t.TempDir(), "oauth.db"))
	}, false),
	sqlBackend("postgres", func(t *testing.T) string {
		return testenv.Require(t, testenv.PostgresVar, testenv.PostgresDefault, sqlProbe)
	}, true),
	sqlBackend("mariadb", func(t *testing.T) string {
		return testenv.Require(t, testenv.MySQLVar, testenv.MySQLDefault, sqlProbe)
	}, true),
	redisBackend("redis", func(t *testing.T) string {
		url := testenv.Value(testenv.RedisVar, testenv.RedisDefault)
		testenv.Require(t, testenv.RedisVar, testenv.RedisDefault, redisProbe(url))
		return url
	}),
	redisBackend("redis-cluster", func(t *testing.T) string {
		url := "redis+cluster://" + testenv.Value(testenv.RedisClusterVar, testenv.RedisClusterDefault)
		testenv.Require(t, testenv.RedisClusterVar, testenv.RedisClusterDefault, redisProbe(url))
		return url
	}),
}

// TestServersSharingARealStoreAgree runs three servers, each with its own connection to one
// real back end, rotating concurrently: every rotation takes effect exactly once, all three
// end on the same active key and the same JWKS, each verifies what another signed, and the
// back end holds no private key bytes.
func TestServersSharingARealStoreAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("real back ends")
	}
	for _, b := range sharedBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			stores := b.open(t, 3)
			c := newClock()
			var sets []*keyset.Set
			for _, st := range stores {
				sets = append(sets, newSet(t, st, c, keyset.Options{Algorithms: []string{keyset.ES256, keyset.A256GCM}}))
			}
			const rounds = 4
			var wg sync.WaitGroup
			errs := make(chan error, len(sets)*rounds)
			for _, s := range sets {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						errs <- s.Rotate(ctx)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, s := range sets {
				if err := s.Refresh(ctx); err != nil {
					t.Fatal(err)
				}
				st := states(s, keyset.ES256)
				if len(st[provider.KeyActive]) != 1 || len(st[provider.KeyNext]) != 1 || len(st[provider.KeyRetired]) != len(sets)*rounds {
					t.Fatalf("%d active, %d next, %d retired; want 1, 1, %d",
						len(st[provider.KeyActive]), len(st[provider.KeyNext]), len(st[provider.KeyRetired]), len(sets)*rounds)
				}
				if activeKID(t, s, "sig", keyset.ES256) != activeKID(t, sets[0], "sig", keyset.ES256) ||
					activeKID(t, s, "enc", keyset.A256GCM) != activeKID(t, sets[0], "enc", keyset.A256GCM) {
					t.Fatal("servers disagree on the active key")
				}
				if !bytes.Equal(mustJSON(t, s.JWKS()), mustJSON(t, sets[0].JWKS())) {
					t.Fatal("servers publish different JWKS")
				}
			}
			if err := verifyWith(sets[2], signWith(t, sets[0])); err != nil {
				t.Fatalf("server 2 cannot verify server 0's token: %v", err)
			}
			stored, err := stores[0].KeySet(ctx, "default")
			if err != nil {
				t.Fatal(err)
			}
			dump, _ := json.Marshal(stored)
			for _, k := range sets[0].Keys() {
				for _, secret := range privateBytes(t, k) {
					if len(secret) >= 16 && bytes.Contains(dump, secret) {
						t.Fatalf("key %s: private bytes in %s", k.ID(), b.name)
					}
				}
			}
		})
	}
}

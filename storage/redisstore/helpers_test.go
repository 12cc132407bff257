package redisstore_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/storage/redisstore"
)

// backend names a real Redis deployment.
type backend struct {
	name string
	url  func(t testing.TB) string // skips (or fails under CI) if the server is not there
}

// backends are the real servers every test runs against: the single Redis and the 3-master
// Cluster.
var (
	single   = backend{"Single", singleURL}
	cluster  = backend{"Cluster", clusterURL}
	backends = []backend{single, cluster}
)

// open opens an isolated store on b (see openIsolated).
func (b backend) open(t testing.TB, now func() time.Time) *redisstore.Store {
	s, _ := openIsolated(t, b.url(t), now)
	return s
}

func probe(url string) func(ctx context.Context, addr string) error {
	return func(ctx context.Context, addr string) error {
		s, err := redisstore.Open(ctx, url, redisstore.Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		if c, ok := s.Redis().(*redis.ClusterClient); ok {
			// Every master must answer, not just the one Ping reached.
			return c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
				return m.Ping(ctx).Err()
			})
		}
		return nil
	}
}

func singleURL(t testing.TB) string {
	url := testenv.Value(testenv.RedisVar, testenv.RedisDefault)
	testenv.Require(t, testenv.RedisVar, testenv.RedisDefault, probe(url))
	return url
}

func clusterURL(t testing.TB) string {
	url := "redis+cluster://" + testenv.Value(testenv.RedisClusterVar, testenv.RedisClusterDefault)
	testenv.Require(t, testenv.RedisClusterVar, testenv.RedisClusterDefault, probe(url))
	return url
}

// openIsolated opens a store with a random prefix, so that it sees no other store's keys, and
// deletes every key under that prefix when the test ends. It returns the store and the prefix.
func openIsolated(t testing.TB, url string, now func() time.Time) (*redisstore.Store, string) {
	t.Helper()
	prefix := "oauthkit-test-" + strings.ToLower(rand.Text())
	s, err := redisstore.Open(t.Context(), url, redisstore.Options{Prefix: prefix, Now: now,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}) // shown with -v or on failure
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		deletePrefix(t, s.Redis(), prefix)
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, prefix
}

// deletePrefix deletes every key that starts with prefix+":", on every master of a Cluster.
func deletePrefix(t testing.TB, c redis.UniversalClient, prefix string) {
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

// Package testenv finds the real servers that oauthkit's tests run against.
//
// A test asks for a server by environment variable; when the variable is unset the documented
// default is used. If the server cannot be reached the test is skipped with a message naming
// the variable, except under CI (CI set to anything but "" or "false"), where a missing server
// fails the test: nothing may pass by skipping in CI.
package testenv

import (
	"context"
	"os"
	"testing"
	"time"
)

// The environment variables naming the servers, and their defaults.
const (
	PostgresVar     = "OAUTHKIT_POSTGRES_URL"
	PostgresDefault = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

	MySQLVar     = "OAUTHKIT_MYSQL_URL"
	MySQLDefault = "mysql://root@127.0.0.1:3306/test"

	RedisVar     = "OAUTHKIT_REDIS_URL"
	RedisDefault = "redis://127.0.0.1:6379/0"

	RedisClusterVar     = "OAUTHKIT_REDIS_CLUSTER"
	RedisClusterDefault = "127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002"
)

// CI reports whether the tests run under CI, where a missing server is a failure.
func CI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// Value returns the value of the environment variable name, or def when it is unset.
func Value(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// Require returns the address held by the environment variable name (or def), after probe
// has reached the server within ten seconds. When probe fails the test is skipped with a
// message naming the variable, or, under CI, fails.
func Require(t testing.TB, name, def string, probe func(ctx context.Context, addr string) error) string {
	t.Helper()
	addr := Value(name, def)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := probe(ctx, addr); err != nil {
		if CI() {
			t.Fatalf("server for %s (%s) is not reachable under CI: %v", name, addr, err)
		}
		t.Skipf("skipping: a server is required; set %s to a reachable one (tried %s: %v)", name, addr, err)
	}
	return addr
}

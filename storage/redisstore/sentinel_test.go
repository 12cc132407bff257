package redisstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// TestConformanceThroughSentinel runs the conformance kit through a Sentinel: a private
// primary and a private sentinel that monitors it, both started by the test on free loopback
// ports, reached with a redis+sentinel:// URL. It proves that the code path for
// Sentinel-managed deployments (go-redis's FailoverClient) works, not just that it compiles.
func TestConformanceThroughSentinel(t *testing.T) {
	primary := startPrivateRedis(t, 0)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	err := os.WriteFile(conf, []byte(fmt.Sprintf(
		"sentinel monitor oauthkit 127.0.0.1 %d 1\nsentinel down-after-milliseconds oauthkit 5000\n", primary.port)), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	sentinel := startPrivateRedis(t, 0, conf, "--sentinel")
	url := fmt.Sprintf("redis+sentinel://%s/oauthkit/0", sentinel.addr())
	storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
		s, _ := openIsolated(t, url, now)
		return s
	})
}

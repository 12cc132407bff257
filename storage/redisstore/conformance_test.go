package redisstore_test

import (
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// TestConformance runs the storage conformance kit against the single Redis and the Cluster.
func TestConformance(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
				return b.open(t, now)
			})
		})
	}
}

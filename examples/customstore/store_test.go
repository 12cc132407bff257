package customstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/examples/customstore"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// TestConformance is the whole proof that the back end meets provider's contract: the kit
// every oauthkit back end passes, each subtest on a fresh file.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
		s, err := customstore.Open(filepath.Join(t.TempDir(), "oauth.db"), customstore.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestBoltURLWithoutAFileIsInvalid(t *testing.T) {
	for _, u := range []string{"bolt://", "bolt:oauth.db", "bolt://oauth.db?mode=x", "bolt://oauth.db#x"} {
		if _, err := storage.Open(context.Background(), u, storage.OpenOptions{}); !errors.Is(err, provider.ErrInvalid) {
			t.Errorf("Open(%q) = %v, want ErrInvalid", u, err)
		}
	}
}

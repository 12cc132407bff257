package customstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/oauthkit/oauthkit/examples/customstore" // registers bolt://
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
)

// A program names the back end by URL once its package is imported; compose.Config's
// StorageURL does exactly this.
func Example() {
	dir, _ := os.MkdirTemp("", "customstore")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := storage.Open(ctx, "bolt://"+filepath.Join(dir, "oauth.db"), storage.OpenOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.(interface{ Close() error }).Close()

	_ = s.CreateClient(ctx, &provider.Client{ID: "svc", Name: "a service", GrantTypes: []string{"client_credentials"}})
	c, err := s.Client(ctx, "svc")
	fmt.Println(c.Name, err)
	// Output: a service <nil>
}

package memstore

import (
	"context"
	"fmt"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
)

// Importing memstore registers the scheme "memory" with storage.Open: "memory://" opens a
// new, empty Store.
func init() {
	storage.Register("memory", func(_ context.Context, rawURL string, opts storage.OpenOptions) (provider.Store, error) {
		if rawURL != "memory://" {
			return nil, fmt.Errorf("memstore: open: %w: a memory URL is exactly memory://", provider.ErrInvalid)
		}
		return New(Options{Logger: opts.Logger}), nil
	})
}

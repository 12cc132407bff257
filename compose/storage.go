package compose

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
	_ "github.com/oauthkit/oauthkit/storage/memstore" // "memory://", the one back end compose links
)

// open opens Config.StorageURL through the storage registry: compose links only memstore,
// and a program links every other back end by importing its package.
func open(ctx context.Context, rawURL string, logger *slog.Logger) (provider.Store, error) {
	s, err := storage.Open(ctx, rawURL, storage.OpenOptions{Logger: logger})
	switch {
	case errors.Is(err, storage.ErrUnknownScheme),
		errors.Is(err, provider.ErrInvalid) && !errors.Is(err, provider.ErrUnavailable):
		// A URL no linked back end opens, or one its back end refuses: the configuration's
		// fault, and errors.Is still finds storage's and the back end's errors.
		return nil, fmt.Errorf("%w: StorageURL: %w", ErrConfig, err)
	case err != nil:
		return nil, fmt.Errorf("compose: open store: %w", err)
	}
	return s, nil
}

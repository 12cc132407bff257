package compose

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
)

func openOther(ctx context.Context, scheme, rawURL string, logger *slog.Logger) (provider.Store, error) {
	if strings.HasPrefix(scheme, "redis") {
		s, err := redisstore.Open(ctx, rawURL, redisstore.Options{Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("compose: open store: %w", err)
		}
		return s, nil
	}
	return nil, configErr("StorageURL", "unsupported scheme %q", scheme)
}

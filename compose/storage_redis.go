package compose

import (
	"context"
	"fmt"
	"strings"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
)

func openOther(ctx context.Context, scheme, rawURL string) (provider.Store, error) {
	if strings.HasPrefix(scheme, "redis") {
		s, err := redisstore.Open(ctx, rawURL, redisstore.Options{})
		if err != nil {
			return nil, fmt.Errorf("compose: open store: %w", err)
		}
		return s, nil
	}
	return nil, configErr("StorageURL", "unsupported scheme %q", scheme)
}

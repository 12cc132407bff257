package redisstore

import (
	"context"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
)

// Importing redisstore registers Open's schemes with storage.Open: redis, rediss,
// redis+cluster, rediss+cluster, redis+sentinel and rediss+sentinel.
func init() {
	for _, scheme := range []string{"redis", "rediss", "redis+cluster", "rediss+cluster", "redis+sentinel", "rediss+sentinel"} {
		storage.Register(scheme, open)
	}
}

func open(ctx context.Context, rawURL string, opts storage.OpenOptions) (provider.Store, error) {
	s, err := Open(ctx, rawURL, Options{Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	return s, nil
}

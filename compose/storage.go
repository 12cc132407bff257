package compose

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

// Open opens the store named by rawURL: "memory://"; "sqlite://…", "postgres://…",
// "postgresql://…", "mysql://…", "mariadb://…" (schema migrated); "redis://…" and the other
// forms of storage/redisstore. The store logs to slog.Default(). The caller closes the store
// if it implements io.Closer.
func Open(ctx context.Context, rawURL string) (provider.Store, error) {
	return open(ctx, rawURL, slog.Default())
}

func open(ctx context.Context, rawURL string, logger *slog.Logger) (provider.Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return nil, configErr("StorageURL", "not a URL")
	}
	switch u.Scheme {
	case "memory":
		return memstore.New(memstore.Options{Logger: logger}), nil
	case "sqlite", "postgres", "postgresql", "mysql", "mariadb":
		s, err := sqlstore.Open(ctx, rawURL, sqlstore.Options{Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("compose: open store: %w", err)
		}
		if err := s.Migrate(ctx); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("compose: migrate store: %w", err)
		}
		return s, nil
	}
	return openOther(ctx, u.Scheme, rawURL, logger)
}

package sqlstore

import (
	"context"
	"fmt"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
)

// Importing sqlstore registers Open's schemes with storage.Open: sqlite, postgres,
// postgresql, mysql and mariadb. A store opened that way has its schema migrated (Migrate)
// before it is returned.
func init() {
	for _, scheme := range []string{"sqlite", "postgres", "postgresql", "mysql", "mariadb"} {
		storage.Register(scheme, openMigrated)
	}
}

func openMigrated(ctx context.Context, rawURL string, opts storage.OpenOptions) (provider.Store, error) {
	s, err := Open(ctx, rawURL, Options{Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return s, nil
}

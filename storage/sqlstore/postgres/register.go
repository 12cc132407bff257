// Package postgres links sqlstore's PostgreSQL driver (github.com/jackc/pgx/v5) and nothing else.
// A program imports it, blank, and that is all: it registers postgres:// and postgresql:// with
// storage.Open, so that compose.Config.StorageURL accepts them (the schema is migrated on open),
// and it lets sqlstore.Open and sqlstore.New use the dialect. A program that does not import it
// does not link the driver.
//
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres"
package postgres

import (
	"github.com/oauthkit/oauthkit/storage"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/internal/pgdriver" // the driver and its error codes
)

func init() {
	for _, scheme := range []string{"postgres", "postgresql"} {
		storage.Register(scheme, sqlstore.OpenMigrated)
	}
}

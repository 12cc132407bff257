// Package sqlite links sqlstore's SQLite driver (modernc.org/sqlite, pure Go) and nothing else. A
// program imports it, blank, and that is all: it registers sqlite:// and sqlite3:// with
// storage.Open, so that compose.Config.StorageURL accepts them (the schema is migrated on open),
// and it lets sqlstore.Open and sqlstore.New use the dialect. A program that does not import it
// does not link the driver.
//
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite"
package sqlite

import (
	"github.com/oauthkit/oauthkit/storage"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqlitedriver" // the driver and its error codes
)

func init() {
	for _, scheme := range []string{"sqlite", "sqlite3"} {
		storage.Register(scheme, sqlstore.OpenMigrated)
	}
}

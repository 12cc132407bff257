// Package mysql links sqlstore's MySQL and MariaDB driver (github.com/go-sql-driver/mysql) and
// nothing else. A program imports it, blank, and that is all: it registers mysql:// and mariadb://
// with storage.Open, so that compose.Config.StorageURL accepts them (the schema is migrated on
// open), and it lets sqlstore.Open and sqlstore.New use the dialect. A program that does not
// import it does not link the driver.
//
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/mysql"
package mysql

import (
	"github.com/oauthkit/oauthkit/storage"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/internal/mysqldriver" // the driver and its error codes
)

func init() {
	for _, scheme := range []string{"mysql", "mariadb"} {
		storage.Register(scheme, sqlstore.OpenMigrated)
	}
}

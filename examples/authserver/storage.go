package main

// The back ends -storage can name. compose links only memory://; each import below registers
// its URL schemes with storage.Open, and an integrator keeps only the ones they use.
import (
	_ "github.com/oauthkit/oauthkit/examples/customstore"      // bolt://FILE, the third-party back-end example
	_ "github.com/oauthkit/oauthkit/storage/memstore"          // memory://
	_ "github.com/oauthkit/oauthkit/storage/redisstore"        // redis://, rediss://, redis+cluster://, redis+sentinel://…
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/mysql"    // mysql://, mariadb://
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres" // postgres://, postgresql://
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite"   // sqlite://, sqlite3://
)

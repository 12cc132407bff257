package sqlstore

// The tests use every dialect, so they link every driver (a program links the ones it
// imports through storage/sqlstore/postgres, …/mysql and …/sqlite).
import (
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/internal/mysqldriver"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/internal/pgdriver"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/internal/sqlitedriver"
)

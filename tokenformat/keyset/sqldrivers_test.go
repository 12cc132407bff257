package keyset_test

// The tests open SQL stores with sqlstore.Open, which links no driver of its own.
import (
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/mysql"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite"
)

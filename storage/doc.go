// Package storage names oauthkit's storage back ends by URL. Each back-end package registers
// its URL schemes from init, as database/sql drivers register themselves, so a program links
// exactly the back ends (and database drivers) it imports, and a third party's back end is
// named by URL the same way as oauthkit's own:
//
//	import (
//		"github.com/oauthkit/oauthkit/storage"
//		_ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres" // registers postgres://, links pgx only
//	)
//
//	s, err := storage.Open(ctx, "postgres://oauth@db/oauth", storage.OpenOptions{})
//
// compose.Config.StorageURL goes through Open. The back ends themselves live in the
// subpackages memstore, sqlstore (one package per SQL driver: sqlstore/postgres, sqlstore/mysql,
// sqlstore/sqlite) and redisstore; storagetest is the conformance kit every
// back end passes, and examples/customstore shows a third-party back end end to end.
package storage

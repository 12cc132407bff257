// Package sqlstore is the SQL back end of oauthkit: one provider.Store over database/sql that
// speaks three dialects — SQLite through modernc.org/sqlite (pure Go, the embedded default; a
// file or an in-memory database), PostgreSQL through github.com/jackc/pgx/v5/stdlib, and
// MySQL/MariaDB through github.com/go-sql-driver/mysql.
//
// sqlstore links no database driver. Each dialect is a package of its own that links its
// driver and registers its URL schemes with storage.Open (so compose's StorageURL accepts
// them): import storage/sqlstore/sqlite, storage/sqlstore/postgres or storage/sqlstore/mysql
// for each dialect you use, and a program links those drivers and no others.
//
// Open a database by URL, then create or upgrade its schema with Migrate:
//
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite"
//
//	s, err := sqlstore.Open(ctx, "sqlite:///var/lib/oauth/oauth.db", sqlstore.Options{})
//	if err != nil { … }
//	defer s.Close()
//	if err := s.Migrate(ctx); err != nil { … }
//
// or wrap a *sql.DB of your own with New. The schema is versioned, embedded in the binary and
// applied only by Migrate, which records each step in a schema_version table, is a no-op on
// a current schema, is safe to run from several nodes at once, and refuses a database that
// newer code has migrated.
//
// The URL forms Open accepts are sqlite:///abs/path.db, sqlite://rel/path.db,
// sqlite://:memory:, postgres:// or postgresql:// (any pgx/libpq parameter) and mysql:// or
// mariadb:// (user:pass@host:port/db?go-sql-driver-parameters); see Open.
//
// The schema (schema version 3; every table name begins with Options.TablePrefix):
//
//	tokens          (kind, token_key) primary key; grant_id, client_id, expires_at indexed;
//	                subject, scope and audience lists (JSON array text), issued_at,
//	                expires_at, auth_time, used_at (Unix ms, 0 = unset), PKCE, redirect URI,
//	                claims and session (binary, verbatim)
//	clients         id primary key; the RFC 7591 metadata, lists as JSON array text,
//	                jwks and metadata binary and verbatim
//	deny_list       jti primary key; until_at indexed
//	revoked_grants  grant_id primary key; until_at (Unix ms) indexed: the revocation marks of
//	                grants revoked whole (schema version 2)
//	revoked_clients client_id primary key; until_at (Unix ms) indexed: the revocation marks
//	                of deleted clients (schema version 3)
//	key_sets        name primary key; version (the compare-and-swap counter), key_data
//	                (the keys, sealed private parts included, as versioned JSON), updated_at
//	schema_version  one row per applied migration
//
// Keys and IDs are bytes compared bytewise (bytea on PostgreSQL, VARBINARY(255) on MySQL,
// TEXT with the BINARY collation on SQLite), so any key of up to provider.MaxKeyLen bytes
// round-trips and ListClients orders by bytes.
//
// Records are keyed by (kind, key), where the key is the tag or hash a token format derived
// from the token, never the token itself. Times are stored as Unix milliseconds, so they
// round-trip at millisecond precision, in UTC. RedeemCode and RotateRefreshToken are one
// conditional UPDATE (… WHERE used_at = 0 AND expires_at > now), which the database lets
// exactly one of any number of concurrent callers win on every dialect. Revoking a grant
// whole (RevokeGrant without kinds, or a refresh token's reuse) writes the grant's
// revocation mark before it deletes, and CreateToken reads the mark after it inserts, each
// statement committing on its own, so that a token minted while its grant is being revoked
// cannot survive. DeleteClient does the same for a client: its mark, then the DELETE of its
// tokens on the client_id index, then the client. A reused code deletes the rest of its grant
// without marking it; a refresh token presented again within provider.RotationGrace of its
// rotation revokes nothing. Expired rows and marks read as not found at once and are deleted by Collect,
// which is safe to run from several nodes.
//
// Errors wrap the provider sentinels; an unreachable database, a deadline or lock contention
// wraps provider.ErrUnavailable together with the driver's error. No error text carries a
// key, token, secret or connection password.
package sqlstore

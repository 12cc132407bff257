package sqlstore

import (
	"strconv"
	"strings"
)

// tokenCols are the columns of the tokens table in the order scanRecord reads them.
const tokenCols = "kind, token_key, grant_id, client_id, subject, requested_scopes, granted_scopes, " +
	"requested_audience, granted_audience, issued_at, expires_at, auth_time, used_at, " +
	"pkce_challenge, pkce_method, redirect_uri, claims, session"

// clientCols are the columns of the clients table in the order scanClient reads them.
const clientCols = "id, secret_hash, secret_expires_at, registration_token_hash, name, redirect_uris, " +
	"grant_types, response_types, scopes, audience, token_endpoint_auth_method, jwks, jwks_uri, " +
	"access_token_format, metadata, created_at, updated_at"

// collectBatch is how many expired rows one DELETE of Collect removes at most. Tests lower
// it (before New) to exercise batching with few rows.
var collectBatch = 1000

// queries holds every statement a Store runs, built once for its dialect and table prefix.
type queries struct {
	tokenInsert, tokenDeleteExpired, tokenSelect, tokenDelete, tokenUse string
	revokeGrantKinds                                                    string // "… kind IN (" with ? placeholders, completed per call
	revokeFamily                                                        string // every record of a grant but the one reused

	// markGrant writes (or lengthens) a grant's revocation mark: until the latest expiry of
	// its records but one (kind, key; none when both are ''), and at least the given instant.
	// Args: grant ID, least until, grant ID, kind, key. markCheck reads a live mark
	// (args: grant ID, now); tokenUnwrite deletes a record CreateToken wrote for a marked
	// grant (args: kind, key, grant ID).
	markGrant, markCheck, tokenUnwrite string
	// markClient writes (or lengthens) a deleted client's revocation mark (args: client ID,
	// until); revokeClient deletes every record of a client (args: client ID). markCheck
	// reads the grant's and the client's marks in one statement (args: grant ID, now,
	// client ID, now).
	markClient, revokeClient string
	// markLatest, on MySQL/MariaDB only, reads the latest expiry markGrant needs (args: grant
	// ID, kind, key), and markGrant then takes it as a value (args: grant ID, until). InnoDB's
	// INSERT … SELECT share-locks the rows it reads, which deadlocks concurrent reuse
	// detections against each other's DELETEs; a plain SELECT takes no locks.
	markLatest string

	clientInsert, clientSelect, clientUpdate, clientExists, clientDelete, clientList string

	denyInsert, denyDeleteExpired, denySelect string

	keySetSelect, keySetInsert, keySetUpdate string

	collectTokens, collectDeny, collectMarks, collectClientMarks string
	collectBatch                                                 int // the LIMIT of the collect statements

	// returning is true when tokenUse returns the row (RETURNING on PostgreSQL and SQLite);
	// MariaDB has no UPDATE … RETURNING, so there the row is read after the update.
	returning bool
}

func buildQueries(d Dialect, prefix string) queries {
	t := func(name string) string { return prefix + name }
	tokens, clients, deny, keysets, marks := t("tokens"), t("clients"), t("deny_list"), t("key_sets"), t("revoked_grants")
	cmarks := t("revoked_clients")
	ph := func(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

	q := queries{
		tokenInsert:        "INSERT INTO " + tokens + " (" + tokenCols + ") VALUES (" + ph(18) + ")",
		tokenDeleteExpired: "DELETE FROM " + tokens + " WHERE kind = ? AND token_key = ? AND expires_at <= ?",
		tokenSelect:        "SELECT " + tokenCols + " FROM " + tokens + " WHERE kind = ? AND token_key = ? AND expires_at > ?",
		tokenDelete:        "DELETE FROM " + tokens + " WHERE kind = ? AND token_key = ? AND expires_at > ?",
		tokenUse:           "UPDATE " + tokens + " SET used_at = ? WHERE kind = ? AND token_key = ? AND used_at = 0 AND expires_at > ?",
		revokeGrantKinds:   "DELETE FROM " + tokens + " WHERE grant_id = ? AND kind IN (",
		revokeFamily:       "DELETE FROM " + tokens + " WHERE grant_id = ? AND NOT (kind = ? AND token_key = ?)",
		markCheck: "SELECT 1 FROM " + marks + " WHERE grant_id = ? AND until_at > ?" +
			" UNION ALL SELECT 1 FROM " + cmarks + " WHERE client_id = ? AND until_at > ?",
		revokeClient: "DELETE FROM " + tokens + " WHERE client_id = ?",
		tokenUnwrite: "DELETE FROM " + tokens + " WHERE kind = ? AND token_key = ? AND grant_id = ?",

		clientInsert: "INSERT INTO " + clients + " (" + clientCols + ") VALUES (" + ph(17) + ")",
		clientSelect: "SELECT " + clientCols + " FROM " + clients + " WHERE id = ?",
		clientUpdate: "UPDATE " + clients + " SET secret_hash = ?, secret_expires_at = ?, registration_token_hash = ?, " +
			"name = ?, redirect_uris = ?, grant_types = ?, response_types = ?, scopes = ?, audience = ?, " +
			"token_endpoint_auth_method = ?, jwks = ?, jwks_uri = ?, access_token_format = ?, metadata = ?, " +
			"created_at = ?, updated_at = ? WHERE id = ?",
		clientExists: "SELECT 1 FROM " + clients + " WHERE id = ?",
		clientDelete: "DELETE FROM " + clients + " WHERE id = ?",
		clientList:   "SELECT " + clientCols + " FROM " + clients + " WHERE id > ? ORDER BY id LIMIT ?",

		denyInsert:        "INSERT INTO " + deny + " (jti, until_at) VALUES (?, ?)",
		denyDeleteExpired: "DELETE FROM " + deny + " WHERE jti = ? AND until_at <= ?",
		denySelect:        "SELECT 1 FROM " + deny + " WHERE jti = ? AND until_at > ?",

		keySetSelect: "SELECT name, version, key_data, updated_at FROM " + keysets + " WHERE name = ?",
		keySetInsert: "INSERT INTO " + keysets + " (name, version, key_data, updated_at) VALUES (?, 1, ?, ?)",
		keySetUpdate: "UPDATE " + keysets + " SET version = version + 1, key_data = ?, updated_at = ? WHERE name = ? AND version = ?",
	}

	q.collectBatch = collectBatch
	batch := strconv.Itoa(collectBatch)
	// The mark's until: the latest expiry among the records (but the one kept), or the least
	// until when that is later. One INSERT … SELECT over the grant_id index, so the mark is
	// written, and committed, before the DELETE that follows it.
	latest := " FROM " + tokens + " WHERE grant_id = ? AND NOT (kind = ? AND token_key = ?)"
	switch d {
	case Postgres:
		// Casts, because parameters in a select list are not typed by the insert's columns.
		q.markGrant = "INSERT INTO " + marks + " (grant_id, until_at) SELECT ?::bytea, GREATEST(?::bigint, COALESCE(MAX(expires_at), 0))" + latest +
			" ON CONFLICT (grant_id) DO UPDATE SET until_at = GREATEST(" + marks + ".until_at, EXCLUDED.until_at)"
	case SQLite:
		// The WHERE of the SELECT is there already, which SQLite's upsert needs to parse.
		q.markGrant = "INSERT INTO " + marks + " (grant_id, until_at) SELECT ?, MAX(?, COALESCE(MAX(expires_at), 0))" + latest +
			" ON CONFLICT (grant_id) DO UPDATE SET until_at = MAX(until_at, excluded.until_at)"
	case MySQL:
		q.markLatest = "SELECT COALESCE(MAX(expires_at), 0)" + latest
		q.markGrant = "INSERT INTO " + marks + " (grant_id, until_at) VALUES (?, ?)" +
			" ON DUPLICATE KEY UPDATE until_at = GREATEST(until_at, VALUES(until_at))"
	}
	upsertClient := "INSERT INTO " + cmarks + " (client_id, until_at) VALUES (?, ?)"
	switch d {
	case Postgres:
		q.markClient = upsertClient + " ON CONFLICT (client_id) DO UPDATE SET until_at = GREATEST(" + cmarks + ".until_at, EXCLUDED.until_at)"
	case SQLite:
		q.markClient = upsertClient + " ON CONFLICT (client_id) DO UPDATE SET until_at = MAX(until_at, excluded.until_at)"
	case MySQL:
		q.markClient = upsertClient + " ON DUPLICATE KEY UPDATE until_at = GREATEST(until_at, VALUES(until_at))"
	}
	switch d {
	case Postgres:
		q.tokenUse += " RETURNING " + tokenCols
		q.returning = true
		// SKIP LOCKED lets several collectors work on disjoint rows instead of queueing.
		q.collectTokens = "DELETE FROM " + tokens + " WHERE (kind, token_key) IN (SELECT kind, token_key FROM " + tokens +
			" WHERE expires_at <= ? LIMIT " + batch + " FOR UPDATE SKIP LOCKED)"
		q.collectDeny = "DELETE FROM " + deny + " WHERE jti IN (SELECT jti FROM " + deny +
			" WHERE until_at <= ? LIMIT " + batch + " FOR UPDATE SKIP LOCKED)"
		q.collectMarks = "DELETE FROM " + marks + " WHERE grant_id IN (SELECT grant_id FROM " + marks +
			" WHERE until_at <= ? LIMIT " + batch + " FOR UPDATE SKIP LOCKED)"
		q.collectClientMarks = "DELETE FROM " + cmarks + " WHERE client_id IN (SELECT client_id FROM " + cmarks +
			" WHERE until_at <= ? LIMIT " + batch + " FOR UPDATE SKIP LOCKED)"
	case SQLite:
		q.tokenUse += " RETURNING " + tokenCols
		q.returning = true
		q.collectTokens = "DELETE FROM " + tokens + " WHERE rowid IN (SELECT rowid FROM " + tokens +
			" WHERE expires_at <= ? LIMIT " + batch + ")"
		q.collectDeny = "DELETE FROM " + deny + " WHERE rowid IN (SELECT rowid FROM " + deny +
			" WHERE until_at <= ? LIMIT " + batch + ")"
		q.collectMarks = "DELETE FROM " + marks + " WHERE rowid IN (SELECT rowid FROM " + marks +
			" WHERE until_at <= ? LIMIT " + batch + ")"
		q.collectClientMarks = "DELETE FROM " + cmarks + " WHERE rowid IN (SELECT rowid FROM " + cmarks +
			" WHERE until_at <= ? LIMIT " + batch + ")"
	case MySQL:
		q.collectTokens = "DELETE FROM " + tokens + " WHERE expires_at <= ? ORDER BY expires_at LIMIT " + batch
		q.collectDeny = "DELETE FROM " + deny + " WHERE until_at <= ? ORDER BY until_at LIMIT " + batch
		q.collectMarks = "DELETE FROM " + marks + " WHERE until_at <= ? ORDER BY until_at LIMIT " + batch
		q.collectClientMarks = "DELETE FROM " + cmarks + " WHERE until_at <= ? ORDER BY until_at LIMIT " + batch
	}

	if d == Postgres {
		for _, p := range []*string{
			&q.tokenInsert, &q.tokenDeleteExpired, &q.tokenSelect, &q.tokenDelete, &q.tokenUse, &q.revokeFamily,
			&q.markGrant, &q.markCheck, &q.tokenUnwrite, &q.markClient, &q.revokeClient,
			&q.clientInsert, &q.clientSelect, &q.clientUpdate, &q.clientExists, &q.clientDelete, &q.clientList,
			&q.denyInsert, &q.denyDeleteExpired, &q.denySelect,
			&q.keySetSelect, &q.keySetInsert, &q.keySetUpdate,
			&q.collectTokens, &q.collectDeny, &q.collectMarks, &q.collectClientMarks,
		} {
			*p = rebind(*p)
		}
	}
	return q
}

// rebind rewrites ? placeholders as PostgreSQL's $1, $2, …. The statements here never
// contain a ? inside a literal.
func rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

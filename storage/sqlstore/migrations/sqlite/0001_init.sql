-- oauthkit sqlstore schema 1 (SQLite). {{prefix}} is replaced by Options.TablePrefix.
-- Keys and IDs are TEXT compared bytewise (BINARY collation); times are Unix milliseconds
-- (0 = unset); lists are JSON array text ('' = empty); JSON and opaque payloads are BLOBs
-- stored verbatim.

CREATE TABLE {{prefix}}clients (
	id                         TEXT    NOT NULL PRIMARY KEY,
	secret_hash                TEXT    NOT NULL,
	secret_expires_at          INTEGER NOT NULL,
	registration_token_hash    TEXT    NOT NULL,
	name                       TEXT    NOT NULL,
	redirect_uris              TEXT    NOT NULL,
	grant_types                TEXT    NOT NULL,
	response_types             TEXT    NOT NULL,
	scopes                     TEXT    NOT NULL,
	audience                   TEXT    NOT NULL,
	token_endpoint_auth_method TEXT    NOT NULL,
	jwks                       BLOB,
	jwks_uri                   TEXT    NOT NULL,
	access_token_format        TEXT    NOT NULL,
	metadata                   BLOB,
	created_at                 INTEGER NOT NULL,
	updated_at                 INTEGER NOT NULL
);

CREATE TABLE {{prefix}}tokens (
	kind               TEXT    NOT NULL,
	token_key          TEXT    NOT NULL,
	grant_id           TEXT    NOT NULL,
	client_id          TEXT    NOT NULL,
	subject            TEXT    NOT NULL,
	requested_scopes   TEXT    NOT NULL,
	granted_scopes     TEXT    NOT NULL,
	requested_audience TEXT    NOT NULL,
	granted_audience   TEXT    NOT NULL,
	issued_at          INTEGER NOT NULL,
	expires_at         INTEGER NOT NULL,
	auth_time          INTEGER NOT NULL,
	used_at            INTEGER NOT NULL DEFAULT 0,
	pkce_challenge     TEXT    NOT NULL,
	pkce_method        TEXT    NOT NULL,
	redirect_uri       TEXT    NOT NULL,
	claims             BLOB,
	session            BLOB,
	PRIMARY KEY (kind, token_key)
);

CREATE INDEX {{prefix}}tokens_grant_id ON {{prefix}}tokens (grant_id);

CREATE INDEX {{prefix}}tokens_client_id ON {{prefix}}tokens (client_id);

CREATE INDEX {{prefix}}tokens_expires_at ON {{prefix}}tokens (expires_at);

CREATE TABLE {{prefix}}deny_list (
	jti      TEXT    NOT NULL PRIMARY KEY,
	until_at INTEGER NOT NULL
);

CREATE INDEX {{prefix}}deny_list_until_at ON {{prefix}}deny_list (until_at);

CREATE TABLE {{prefix}}key_sets (
	name       TEXT    NOT NULL PRIMARY KEY,
	version    INTEGER NOT NULL,
	key_data   BLOB    NOT NULL,
	updated_at INTEGER NOT NULL
);

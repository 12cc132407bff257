-- oauthkit sqlstore schema 1 (PostgreSQL). {{prefix}} is replaced by Options.TablePrefix.
-- Keys and IDs are BYTEA (any bytes, compared bytewise); times are Unix milliseconds
-- (0 = unset); lists are JSON array text ('' = empty); JSON and opaque payloads are
-- BYTEA stored verbatim (never jsonb, which reorders keys).

CREATE TABLE {{prefix}}clients (
	id                          BYTEA             NOT NULL PRIMARY KEY,
	secret_hash                 TEXT              NOT NULL,
	secret_expires_at           BIGINT          NOT NULL,
	registration_token_hash     TEXT              NOT NULL,
	name                        TEXT              NOT NULL,
	redirect_uris               TEXT              NOT NULL,
	grant_types                 TEXT              NOT NULL,
	response_types              TEXT              NOT NULL,
	scopes                      TEXT              NOT NULL,
	audience                    TEXT              NOT NULL,
	token_endpoint_auth_method  TEXT              NOT NULL,
	jwks                        BYTEA,
	jwks_uri                    TEXT              NOT NULL,
	access_token_format         TEXT              NOT NULL,
	metadata                    BYTEA,
	created_at                  BIGINT          NOT NULL,
	updated_at                  BIGINT          NOT NULL
);

CREATE TABLE {{prefix}}tokens (
	kind                        TEXT              NOT NULL,
	token_key                   BYTEA             NOT NULL,
	grant_id                    BYTEA             NOT NULL,
	client_id                   BYTEA             NOT NULL,
	subject                     TEXT              NOT NULL,
	requested_scopes            TEXT              NOT NULL,
	granted_scopes              TEXT              NOT NULL,
	requested_audience          TEXT              NOT NULL,
	granted_audience            TEXT              NOT NULL,
	issued_at                   BIGINT          NOT NULL,
	expires_at                  BIGINT          NOT NULL,
	auth_time                   BIGINT          NOT NULL,
	used_at                     BIGINT          NOT NULL DEFAULT 0,
	pkce_challenge              TEXT              NOT NULL,
	pkce_method                 TEXT              NOT NULL,
	redirect_uri                TEXT              NOT NULL,
	claims                      BYTEA,
	session                     BYTEA,
	PRIMARY KEY (kind, token_key)
);

CREATE INDEX {{prefix}}tokens_grant_id ON {{prefix}}tokens (grant_id);

CREATE INDEX {{prefix}}tokens_client_id ON {{prefix}}tokens (client_id);

CREATE INDEX {{prefix}}tokens_expires_at ON {{prefix}}tokens (expires_at);

CREATE TABLE {{prefix}}deny_list (
	jti                         BYTEA             NOT NULL PRIMARY KEY,
	until_at                    BIGINT          NOT NULL
);

CREATE INDEX {{prefix}}deny_list_until_at ON {{prefix}}deny_list (until_at);

CREATE TABLE {{prefix}}key_sets (
	name                        BYTEA             NOT NULL PRIMARY KEY,
	version                     BIGINT          NOT NULL,
	key_data                    BYTEA             NOT NULL,
	updated_at                  BIGINT          NOT NULL
);

-- oauthkit sqlstore schema 1 (MySQL 8 / MariaDB 10.5+). {{prefix}} is replaced by Options.TablePrefix.
-- Keys and IDs are VARBINARY(255) (any bytes, compared bytewise); times are Unix milliseconds
-- (0 = unset); lists are JSON array text ('' = empty); JSON and opaque payloads are LONGBLOBs
-- stored verbatim.

CREATE TABLE {{prefix}}clients (
	id                          VARBINARY(255) NOT NULL PRIMARY KEY,
	secret_hash                 BLOB           NOT NULL,
	secret_expires_at           BIGINT         NOT NULL,
	registration_token_hash     BLOB           NOT NULL,
	name                        BLOB           NOT NULL,
	redirect_uris               BLOB           NOT NULL,
	grant_types                 BLOB           NOT NULL,
	response_types              BLOB           NOT NULL,
	scopes                      BLOB           NOT NULL,
	audience                    BLOB           NOT NULL,
	token_endpoint_auth_method  BLOB           NOT NULL,
	jwks                        LONGBLOB,
	jwks_uri                    BLOB           NOT NULL,
	access_token_format         BLOB           NOT NULL,
	metadata                    LONGBLOB,
	created_at                  BIGINT         NOT NULL,
	updated_at                  BIGINT         NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE {{prefix}}tokens (
	kind                        VARCHAR(32)    NOT NULL,
	token_key                   VARBINARY(255) NOT NULL,
	grant_id                    VARBINARY(255) NOT NULL,
	client_id                   VARBINARY(255) NOT NULL,
	subject                     BLOB           NOT NULL,
	requested_scopes            BLOB           NOT NULL,
	granted_scopes              BLOB           NOT NULL,
	requested_audience          BLOB           NOT NULL,
	granted_audience            BLOB           NOT NULL,
	issued_at                   BIGINT         NOT NULL,
	expires_at                  BIGINT         NOT NULL,
	auth_time                   BIGINT         NOT NULL,
	used_at                     BIGINT         NOT NULL DEFAULT 0,
	pkce_challenge              BLOB           NOT NULL,
	pkce_method                 BLOB           NOT NULL,
	redirect_uri                BLOB           NOT NULL,
	claims                      LONGBLOB,
	session                     LONGBLOB,
	PRIMARY KEY (kind, token_key),
	INDEX {{prefix}}tokens_grant_id (grant_id),
	INDEX {{prefix}}tokens_client_id (client_id),
	INDEX {{prefix}}tokens_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE {{prefix}}deny_list (
	jti                         VARBINARY(255) NOT NULL PRIMARY KEY,
	until_at                    BIGINT         NOT NULL,
	INDEX {{prefix}}deny_list_until_at (until_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE {{prefix}}key_sets (
	name                        VARBINARY(255) NOT NULL PRIMARY KEY,
	version                     BIGINT         NOT NULL,
	key_data                    LONGBLOB       NOT NULL,
	updated_at                  BIGINT         NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

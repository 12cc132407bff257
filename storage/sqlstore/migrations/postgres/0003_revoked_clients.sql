-- oauthkit sqlstore schema 3 (PostgreSQL): revocation marks of deleted clients. DeleteClient
-- writes a row here until until_at (Unix ms) before it deletes the client's tokens; while it
-- lasts, CreateToken refuses the client's records with provider.ErrGrantRevoked, so that a
-- token minted by a request racing the deletion does not survive it. The tokens table has
-- been indexed by client_id since schema 1.

CREATE TABLE {{prefix}}revoked_clients (
	client_id                   BYTEA             NOT NULL PRIMARY KEY,
	until_at                    BIGINT            NOT NULL
);

CREATE INDEX {{prefix}}revoked_clients_until_at ON {{prefix}}revoked_clients (until_at);

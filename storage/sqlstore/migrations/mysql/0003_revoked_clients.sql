-- oauthkit sqlstore schema 3 (MySQL 8 / MariaDB 10.5+): revocation marks of deleted clients.
-- DeleteClient writes a row here until until_at (Unix ms) before it deletes the client's
-- tokens; while it lasts, CreateToken refuses the client's records with
-- provider.ErrGrantRevoked, so that a token minted by a request racing the deletion does not
-- survive it. The tokens table has been indexed by client_id since schema 1.

CREATE TABLE {{prefix}}revoked_clients (
	client_id                   VARBINARY(255) NOT NULL PRIMARY KEY,
	until_at                    BIGINT         NOT NULL,
	INDEX {{prefix}}revoked_clients_until_at (until_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

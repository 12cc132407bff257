-- oauthkit sqlstore schema 2 (MySQL 8 / MariaDB 10.5+): revocation marks. A grant revoked
-- whole (by RevokeGrant without kinds or by reuse detection) has a row here until until_at
-- (Unix ms); while it lasts, CreateToken refuses the grant's records with
-- provider.ErrGrantRevoked.

CREATE TABLE {{prefix}}revoked_grants (
	grant_id                    VARBINARY(255) NOT NULL PRIMARY KEY,
	until_at                    BIGINT         NOT NULL,
	INDEX {{prefix}}revoked_grants_until_at (until_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

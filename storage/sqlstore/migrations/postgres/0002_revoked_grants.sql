-- oauthkit sqlstore schema 2 (PostgreSQL): revocation marks. A grant revoked whole (by
-- RevokeGrant without kinds or by reuse detection) has a row here until until_at (Unix ms);
-- while it lasts, CreateToken refuses the grant's records with provider.ErrGrantRevoked.

CREATE TABLE {{prefix}}revoked_grants (
	grant_id                    BYTEA             NOT NULL PRIMARY KEY,
	until_at                    BIGINT          NOT NULL
);

CREATE INDEX {{prefix}}revoked_grants_until_at ON {{prefix}}revoked_grants (until_at);

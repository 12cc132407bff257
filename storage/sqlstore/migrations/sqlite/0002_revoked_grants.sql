-- oauthkit sqlstore schema 2 (SQLite): revocation marks. A grant revoked whole (by
-- RevokeGrant without kinds or by reuse detection) has a row here until until_at (Unix ms);
-- while it lasts, CreateToken refuses the grant's records with provider.ErrGrantRevoked.

CREATE TABLE {{prefix}}revoked_grants (
	grant_id TEXT    NOT NULL PRIMARY KEY,
	until_at INTEGER NOT NULL
);

CREATE INDEX {{prefix}}revoked_grants_until_at ON {{prefix}}revoked_grants (until_at);

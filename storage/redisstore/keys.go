package redisstore

import (
	"strings"

	"github.com/oauthkit/oauthkit/provider"
)

// The key layout. P is Options.Prefix; the part in braces is the Redis Cluster hash tag, so it
// alone decides a key's slot.
//
//	P:{<key>}:r:<kind>   hash: d = encoded Record, g = GrantID, c = ClientID, x = stamp(ExpiresAt),
//	                     u = stamp(UsedAt) once used. TTL: ExpiresAt.
//	P:{<grantID>}:g      sorted set of "<kind>:<key>", one member per record created in the
//	                     grant, scored by the record's expiry (ms). Members whose records have
//	                     expired are dropped whenever a member is added. TTL: the latest
//	                     ExpiresAt of its members.
//	P:{<grantID>}:rv     string: the grant's revocation mark, the Unix ms until which
//	                     CreateToken refuses the grant's records (ErrGrantRevoked). Written by
//	                     RevokeGrant without kinds and by reuse detection. TTL: that instant.
//	P:{<clientID>}:ct    sorted set of "<kind>:<key>", one member per record issued to the
//	                     client, scored by expiry (ms), kept like a grant index. Read only by
//	                     DeleteClient. TTL: the latest ExpiresAt of its members.
//	P:{<clientID>}:crv   string: a deleted client's revocation mark, the Unix ms until which
//	                     CreateToken refuses the client's records (ErrGrantRevoked). Written
//	                     by DeleteClient. TTL: that instant.
//	P:{clients}:c:<id>   string: encoded Client. No TTL.
//	P:{clients}:ids      sorted set of client IDs, all scored 0 (byte-ordered for ListClients).
//	P:{<name>}:ks        hash: v = version, d = encoded KeySet. No TTL.
//	P:{<jti>}:deny       string: stamp(until). TTL: until.
//
// A record is tagged by its own key, not by its grant, because every lookup (Token,
// RedeemCode, RotateRefreshToken) arrives with only (kind, key): the key is an HMAC tag that
// does not reveal the grant. Tagging by key puts a record where its lookup finds it in one
// round trip, and puts an authorization code and its PKCE record (same key) in one slot. The
// grant index lives in its grant's slot and is only read by RevokeGrant. See doc.go for which
// operations take how many round trips.

func (s *Store) recordKey(kind provider.Kind, key string) string {
	var b strings.Builder
	b.Grow(len(s.prefix) + len(key) + len(kind) + 6)
	b.WriteString(s.prefix)
	b.WriteString(":{")
	b.WriteString(key)
	b.WriteString("}:r:")
	b.WriteString(string(kind))
	return b.String()
}

func (s *Store) grantKey(grantID string) string { return s.prefix + ":{" + grantID + "}:g" }

func (s *Store) markKey(grantID string) string { return s.prefix + ":{" + grantID + "}:rv" }

func (s *Store) clientKey(id string) string { return s.prefix + ":{clients}:c:" + id }

func (s *Store) clientTokensKey(id string) string { return s.prefix + ":{" + id + "}:ct" }

func (s *Store) clientMarkKey(id string) string { return s.prefix + ":{" + id + "}:crv" }

func (s *Store) clientIndexKey() string { return s.prefix + ":{clients}:ids" }

func (s *Store) keySetKey(name string) string { return s.prefix + ":{" + name + "}:ks" }

func (s *Store) denyKey(jti string) string { return s.prefix + ":{" + jti + "}:deny" }

// grantMember is a record's member in its grant index. Kinds are [a-z0-9_], so the first ':'
// ends the kind.
func grantMember(kind provider.Kind, key string) string { return string(kind) + ":" + key }

func splitGrantMember(m string) (provider.Kind, string, bool) {
	kind, key, ok := strings.Cut(m, ":")
	return provider.Kind(kind), key, ok && provider.Kind(kind).Valid() && key != ""
}

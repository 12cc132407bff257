// Package redisstore is a provider.Store kept in Redis through go-redis's UniversalClient, so
// that one code path serves a single node, a Sentinel-managed primary and a Redis Cluster.
//
//	store, err := redisstore.Open(ctx, "redis://127.0.0.1:6379/0", redisstore.Options{})
//	store, err := redisstore.Open(ctx, "redis+cluster://10.0.0.1:7000,10.0.0.2:7000", redisstore.Options{})
//	store, err := redisstore.New(existingClient, redisstore.Options{Prefix: "auth"})
//
// It needs Redis 7.0 or later.
//
// # Layout
//
// A token, code or PKCE record is one hash under P:{<key>}:r:<kind>, where <key> is the
// record's Key (an HMAC tag or hash of the token, never the token) and the braces are the
// Cluster hash tag. Every record of a grant is also a member of the grant's index, a set
// under P:{<grantID>}:g. Records are tagged by their own key, not by their grant: lookups
// arrive with only (kind, key), and the key does not reveal the grant, so a grant-tagged
// layout would need a second round trip (key → grant) on every read, redeem and rotation.
// With key tags, an authorization code and its PKCE record (same key) share a slot, and the
// grant index is read only when a grant is revoked. Clients share the tag {clients}; a key set
// is tagged by its name, a deny-list entry by its jti. keys.go lists every key.
//
// # Round trips
//
//	Token, Client, KeySet, Denied                                  1 (one read)
//	RedeemCode, RotateRefreshToken (first use)                     1 (one script on the record's key)
//	DeleteToken, Deny, SaveKeySet, Create/Update/DeleteClient      1 (one script)
//	CreateToken, single node or Sentinel                           1 (one script writes record and index)
//	CreateToken, Cluster                                           2 (index, then record: different slots)
//	ListClients                                                    2 (index range, then MGET on the same slot)
//	RevokeGrant                                                    3 (read the index; delete the records, pipelined
//	                                                                  to every master at once; prune the index)
//	RedeemCode, RotateRefreshToken on reuse                        1 + RevokeGrant's 3
//
// Exactly-once redemption and rotation need no cross-slot step: the script that marks a
// record used reads and writes only that record. Revocation spans slots in a Cluster, so it is
// ordered to fail safe rather than made atomic: the records are deleted first, each by a
// script that checks the record still names the grant, and only then are their members
// removed from the index. A crash midway leaves no record the index has forgotten, and
// RevokeGrant may be called again to finish. Likewise CreateToken writes the index before the
// record in a Cluster, so no record exists that RevokeGrant could miss.
//
// # Expiry
//
// Every record key expires (PEXPIREAT) at its record's ExpiresAt, a deny-list entry at its
// Until, and a grant index at the latest expiry of its members: nothing lingers. Reads also
// compare against Options.Now, so a record reads as not found once ExpiresAt ≤ Now() even if
// Redis still holds it. Clients and key sets do not expire.
//
// # Encoding
//
// Records, clients and key sets are stored in a compact binary form that starts with a
// format-version byte and a type byte (see encoding.go). A version the code does not know is
// an error, never a guess, so the format can evolve without a flag day.
//
// # Errors
//
// Errors wrap the provider sentinels. A missing key is provider.ErrNotFound; a network error,
// a deadline, a closed client, or a server that is loading or has lost its slots wraps
// provider.ErrUnavailable and keeps the cause. No error string carries a key, token or secret.
package redisstore

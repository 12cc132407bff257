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
// Cluster hash tag. Every record of a grant is also a member of the grant's index, a sorted
// set (scored by expiry) under P:{<grantID>}:g. Records are tagged by their own key, not by their grant: lookups
// arrive with only (kind, key), and the key does not reveal the grant, so a grant-tagged
// layout would need a second round trip (key → grant) on every read, redeem and rotation.
// With key tags, an authorization code and its PKCE record (same key) share a slot, and the
// grant index is read only when a grant is revoked (by RevokeGrant or on reuse). Every record
// is also a member of its client's index, P:{<clientID>}:ct, read only by DeleteClient.
// Clients share the tag {clients}; a key set
// is tagged by its name, a deny-list entry by its jti. keys.go lists every key.
//
// # Round trips
//
//	                                                  single node, Sentinel   Cluster
//	Token, Client, KeySet, Denied                     1                       1
//	RedeemCode, RotateRefreshToken (first use)        1                       1
//	DeleteToken, Deny, SaveKeySet,
//	Create/UpdateClient                               1                       1
//	DeleteClient (revokes the client's records)       1                       4
//	CreateToken                                       1                       3 (4 if refused)
//	ListClients                                       2                       2
//	RevokeGrant                                       1                       3
//	RotateRefreshToken within RotationGrace of use    1                       1
//	RedeemCode, RotateRefreshToken on reuse           2                       4
//
// Exactly-once redemption and rotation need no cross-slot step: the script that marks a
// record used reads and writes only that record. Where the whole grant lives on one server
// (a single node or a Sentinel primary), CreateToken writes record and index, and RevokeGrant
// reads the index and deletes the records, each in one atomic script. In a Cluster a grant's
// records are spread over the masters, so those two are ordered to fail safe rather than made
// atomic: CreateToken writes the index before the record, so no record exists that
// RevokeGrant could miss; RevokeGrant reads the index, deletes the records (one pipeline to
// every master at once, each delete checking that the record still names the grant), and
// only then removes their members from the index. A crash midway leaves no record the index
// has forgotten, and RevokeGrant may be called again to finish.
//
// # Revocation marks
//
// A grant revoked whole (RevokeGrant without kinds, or a refresh token's reuse) gets a mark,
// P:{<grantID>}:rv, in its grant's slot, lasting until the latest expiry among its records
// and at least provider.MinRevokedMarker; while it lasts CreateToken refuses the grant's
// records with provider.ErrGrantRevoked. On one server the check is part of CreateToken's
// script. In a Cluster the revocation writes the mark and reads the index in one script,
// then deletes; CreateToken writes the index, then the record, then reads the mark and takes
// its record back if the mark is there. Whichever order a create and a revocation run in,
// the record does not survive: token.go's CreateToken comment gives the argument. A reused
// code deletes the rest of its grant the same way, with the same round trips, but writes no
// mark, so the redemption that won still gets its tokens; a refresh token presented again
// within provider.RotationGrace of its rotation is a loser of that rotation and revokes
// nothing. DeleteClient marks the client, P:{<clientID>}:crv, for provider.MinRevokedMarker,
// and CreateToken checks that mark beside the grant's, in the same steps.
//
// # Expiry
//
// Every record key expires (PEXPIREAT) at its record's ExpiresAt, a deny-list entry at its
// Until, a revocation mark at its own end, and a grant index at the latest expiry of its
// members, which are dropped from it as
// their records expire: nothing lingers. Reads also compare against Options.Now, so a record
// reads as not found once ExpiresAt ≤ Now() even if Redis still holds it. Clients and key
// sets do not expire.
//
// # Encoding
//
// Records, clients and key sets are stored in provider's binary form (Record.MarshalBinary
// and its kin, the module's one codec), which starts with a format-version byte and a type
// byte. A version the code does not know is an error matching provider.ErrCorrupt, never a
// guess, so the format can evolve without a flag day; values written before the codec moved
// to provider decode unchanged (it is the same form).
//
// # Errors
//
// Errors wrap the provider sentinels. A missing key is provider.ErrNotFound; a network error,
// a deadline, a closed client, or a server that is loading or has lost its slots wraps
// provider.ErrUnavailable and keeps the cause. No error string carries a key, token or secret.
package redisstore

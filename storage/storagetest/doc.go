// Package storagetest is the conformance kit for oauthkit storage back ends. A back end,
// oauthkit's own or a third party's, proves that it meets the provider contract by calling
// Run from its own tests with a function that returns a fresh store:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T, now func() time.Time) provider.Store {
//			s := mystore.New(mystore.Options{Now: now})
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Run checks every method of every interface in provider.Store and every error it
// documents: ErrNotFound, ErrConflict, ErrInvalid for each rule of Record.Validate and
// Client.Validate, ErrAlreadyUsed with the record. Expiry is driven by a Clock the kit
// advances, never by sleeping; a store must take the current time from the now function it
// is given. Values handed in and out must be copies. Unicode, MaxKeyLen keys, a 64 KiB
// Session and a thousand scopes must round-trip; timestamps must round-trip to the
// millisecond (the kit compares them after truncating to the millisecond) and a zero time
// must stay zero. Races are run with 64 goroutines: redeeming one code, rotating one refresh
// token, denying one jti, saving one key-set version and creating one key or client each
// succeed exactly once (each such race is run in 8 rounds, so that a check-then-act bug
// cannot pass on one lucky schedule), and concurrent writers of distinct records lose none.
// In 8 rounds, the winner of 64 redemptions of one code mints the grant's access and refresh
// tokens while the 63 others are answered ErrAlreadyUsed: every one of the winner's
// CreateToken calls must succeed (exactly one token response per code). The same holds for
// 64 concurrent refreshes of one refresh token: exactly one rotates and mints, never zero,
// which a store fails whose losers' reuse detection revokes the family under the winner. In
// 32 rounds, the rotation of a grant's newer refresh token, minting the next tokens, races 8
// presentations of an older one used more than provider.RotationGrace ago (theft):
// afterwards no record of the grant but the used ones may be readable, whichever order they
// ran in. In 8 rounds, 63 goroutines create tokens of one client while it is deleted:
// afterwards no record of the client is readable and new ones are refused.
//
// Optional capabilities are checked when the store has them (found with provider.As, so
// through decorators too) and skipped otherwise: Collect deletes expired records and deny-list
// entries, and expired revocation marks of grants and of deleted clients, and only those;
// Ping succeeds.
//
// Rules the kit checks that go beyond the words of provider's doc comments:
//
//   - Reuse of a code or refresh token deletes every other record of its grant, but the used
//     record itself stays, used, until it expires: every later presentation also returns
//     ErrAlreadyUsed with the record (which is why all 63 losers of a race see ErrAlreadyUsed).
//   - A reused code does not mark its grant: CreateToken for the grant succeeds afterwards.
//   - A refresh token presented again within provider.RotationGrace of its rotation returns
//     ErrAlreadyUsed and revokes nothing; at RotationGrace and later it revokes the grant
//     whole and the error matches ErrGrantRevoked as well.
//   - DeleteClient deletes every record whose ClientID is the client's, of every kind, used
//     or not, and no other; it marks the client, even one without records, so that
//     CreateToken refuses the client's records with ErrGrantRevoked for exactly
//     provider.MinRevokedMarker, also when the ID is registered again; for an unknown ID it
//     revokes all the same and returns ErrNotFound.
//   - A grant revoked whole (RevokeGrant without kinds, or a refresh token's reuse) is marked
//     even when it has no records; while marked, CreateToken refuses every kind with ErrGrantRevoked and
//     stores nothing. The mark lasts until the latest expiry among the deleted records or
//     provider.MinRevokedMarker, whichever is later, and expires at that instant exactly.
//     RevokeGrant with kinds does not mark.
//   - RedeemCode applies only to AuthorizationCode records and RotateRefreshToken only to
//     RefreshToken records; a key stored under another kind reads as ErrNotFound.
//   - DeleteToken of an expired record returns ErrNotFound.
//   - Deny with an empty jti or a zero until, and SaveKeySet of nil or of a set with an empty
//     or over-long name, return ErrInvalid; Deny with an until already past returns nil and
//     adds nothing (nor disturbs a live entry).
//   - Reading with an empty key, ID or name (Token, DeleteToken, RedeemCode,
//     RotateRefreshToken, Client, KeySet) returns ErrNotFound; Denied("") is false.
//   - Claims, Metadata and JWKS are kept byte for byte (no JSON normalisation).
//   - ListClients sorts by bytes, not by a collation ("Z" < "a" < "é").
//   - CreateToken and CreateClient leave the value they are given unchanged (only SaveKeySet
//     writes to its argument, the new Version).
//   - An error's text never contains the key, client ID, jti or set name it is about.
//
// Each subtest calls NewStore itself and uses random keys, IDs and names, so stores that
// share one database do not collide; only the Clients/List… subtests need NewStore to return
// a store holding no clients.
package storagetest

// Package customstore is a complete oauthkit storage back end outside oauthkit's storage/
// tree, on the embedded key-value database go.etcd.io/bbolt: the reference to copy when you
// write your own. It is under 700 lines with its comments, and reads in this order:
//
//  1. store.go — registration and plumbing. init calls storage.Register("bolt", …), so that a
//     blank import is all a program needs for compose.Config{StorageURL: "bolt://oauth.db"}
//     or examples/authserver's -storage bolt://oauth.db to open it:
//
//     import _ "github.com/oauthkit/oauthkit/examples/customstore"
//
//     Open creates one bucket per kind of data. Values are kept in provider's binary form
//     (Record.MarshalBinary and friends), which keeps Claims, Metadata and JWKS byte for byte
//     (encoding/json would compact them, which the conformance kit catches). Index buckets (grant → records, client → records) make
//     RevokeGrant and DeleteClient cost the grant's or client's records, not the store's.
//
//  2. token.go — the records. Each method is one bbolt transaction, and bbolt runs one
//     read-write transaction at a time, so RedeemCode and RotateRefreshToken (read the
//     record, decide, mark it used or revoke its grant) are atomic with no lock of our own.
//     One trap: an error returned from a bbolt transaction rolls it back, so an answer that
//     comes with a write (ErrAlreadyUsed after revoking the grant, ErrNotFound from
//     DeleteClient after marking the client) is returned after the commit, not from inside.
//
//  3. client.go, deny.go, keyset.go — clients (bbolt sorts keys by bytes, which is the order
//     ListClients needs), the jti deny-list, and key sets with their optimistic version check.
//
//  4. collect.go — the optional provider.Collector: bbolt expires nothing by itself.
//
//  5. store_test.go — the whole proof of conformance: storagetest.Run with a fresh file per
//     subtest and the kit's clock as the store's Now.
//
// examples/authserver's TestRunServesTokensFromTheCustomBoltStoreAcrossRestarts serves
// tokens from it by URL, through compose, across a restart.
//
// bbolt holds an exclusive lock on its file: one process at a time. For several nodes,
// use PostgreSQL or Redis.
package customstore

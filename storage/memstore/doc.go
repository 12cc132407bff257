// Package memstore is oauthkit's in-memory storage back end: every capability of
// provider.Store, kept in maps behind one lock, for tests, examples and single-process
// servers that can afford to lose their tokens on restart.
//
// Records are indexed by grant, so RevokeGrant costs time in the grant's records only. A
// grant revoked whole (RevokeGrant without kinds, or a refresh token's reuse) is marked under
// the same lock, and CreateToken refuses a marked grant's records with provider.ErrGrantRevoked.
// Expired records and marks read as not found at once and are deleted by a background sweeper that
// Close stops:
//
//	s := memstore.New(memstore.Options{})
//	defer s.Close()
//	err := s.CreateToken(ctx, rec)
//
// The package passes storage/storagetest's conformance kit.
package memstore

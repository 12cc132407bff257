// Package peerbench holds no code, only benchmarks that compare memstore with its peer,
// fosite's storage.MemoryStore (the store of fosite's default composition), in the same run.
// They live apart so that memstore's own tests link nothing but the standard library.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./storage/memstore/internal/peerbench/
//
// The two do not do the same work, and the figures should be read with that in mind:
// memstore copies every record in and out, checks expiry on every read, redeems and rotates
// in one atomic step and keeps a grant index for RevokeGrant; fosite's MemoryStore keeps the
// caller's pointer, checks no expiry, and redeems with two calls (GetAuthorizeCodeSession,
// then InvalidateAuthorizeCodeSession) that are not atomic together.
package peerbench

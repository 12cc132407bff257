// Package provider is the contract every oauthkit storage back end meets: the model types
// (Client, Record, KeySet), one small interface per capability, and the sentinel errors callers
// match with errors.Is.
//
// A back end implements the capabilities it can; a complete one implements Store. Optional
// capabilities (Pinger, Collector, io.Closer) are discovered by type assertion, as
// database/sql/driver does. Decorators (caches) implement Unwrapper so that optional
// capabilities stay reachable behind them.
//
// The package imports only the standard library. Nothing here knows how a token looks on the
// wire: records are stored under a Key that a token format derives from the token (an HMAC tag
// or a hash), never under the token itself.
//
// The rules every back end follows, and that storage/storagetest checks:
//
//   - A record whose ExpiresAt has passed reads as ErrNotFound, whether or not it has been
//     swept yet; so does a deny-list entry whose Until has passed.
//   - Values handed in and handed out are copies: a caller may change a returned Record or
//     Client without changing what is stored.
//   - RedeemCode and RotateRefreshToken succeed exactly once per record, however many callers
//     race for it.
//   - CreateToken and CreateClient leave their argument unchanged.
//   - Times round-trip at millisecond precision or better, in UTC; a zero time stays zero.
//   - Claims, Session, JWKS and Metadata are kept byte for byte.
//   - Reading with an empty key or ID returns ErrNotFound; writing one returns ErrInvalid.
//   - Errors wrap the sentinels (errors.go) with %w and never carry a secret, a token, a key
//     or an ID.
package provider

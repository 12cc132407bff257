// Package fositeadapter plugs oauthkit's stores and token formats into
// github.com/ory/fosite, the protocol engine under oauthkit's authorization server.
//
// An Adapter is both fosite's storage (clients, authorization codes, PKCE requests, access
// and refresh tokens, revocation, RFC 7523 keys and jti tracking) and its token strategy
// (access tokens through a tokenformat.Format chosen per client; refresh tokens and codes
// through fosite's HMAC strategy, keyed by a secret the caller supplies). It is the only
// place, with package compose, where fosite types meet oauthkit's own: nothing in provider,
// storage, tokenformat or validation knows fosite.
//
// # Exactly once
//
// fosite reads a code or refresh token, then later marks it used; two requests that race
// between the read and the mark both win (fosite issue #778). The Adapter instead redeems
// codes through provider.CodeRedeemer and rotates refresh tokens through
// provider.RefreshRotator, which succeed once per record however many callers race, and
// reports the loser as already used. translateError maps that to invalid_grant at the HTTP
// edge, so of any number of concurrent redemptions of one code exactly one gets tokens.
//
// # Formats and persistence
//
// What the Adapter keeps for an access token follows the format's tokenformat.Persistence:
// the full record (StoreRecord), nothing (StoreNothing: the token is decoded, never looked
// up, and revocation denies the token's grant on the deny-list until the longest access
// token lifetime has passed), or the token string alone (StoreTokenOnly: the record is
// rebuilt from the token). Introspection (RFC 7662) and revocation (RFC 7009) go through the
// same path for every format, so a revoked stateless token introspects as inactive. Tokens
// are always authenticated by their format's Parse before anything is read for them; a JWT
// that is not an access token of ours (an ID token signed by the same key, say) fails Parse.
package fositeadapter

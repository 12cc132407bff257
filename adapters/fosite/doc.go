// Package fositeadapter plugs oauthkit's stores and token formats into
// github.com/ory/fosite, the protocol engine under oauthkit's authorization server. It is the
// only package of the module that imports fosite (compose/nofosite_test.go enforces it).
//
// NewHandler builds fosite's configuration and handlers once from a HandlerConfig of
// oauthkit's own types and serves the protocol endpoints; compose routes to them:
//
//	h, err := fositeadapter.NewHandler(fositeadapter.HandlerConfig{Issuer: iss, TokenURL: iss + "/oauth2/token", …})
//	mux.HandleFunc("POST /oauth2/token", h.Token)
//	mux.HandleFunc("POST /oauth2/introspect", h.Introspect)
//
// Client authentication (client_secret_basic, client_secret_post, private_key_jwt), the
// RFC 7523 policy, introspection policy, parameter hygiene and the RFC 9207 iss parameter
// are the Handler's, in place of fosite's own; the hooks it calls are adapters/authz types.
//
// An Adapter is both fosite's storage (clients, authorization codes, PKCE requests, access
// and refresh tokens, revocation, RFC 7523 keys and jti tracking) and its token strategy
// (access tokens through a tokenformat.Format chosen per client; refresh tokens and codes
// through fosite's HMAC strategy, keyed by a secret the caller supplies). It is the only
// place where fosite types meet oauthkit's own: nothing in provider,
// storage, tokenformat or validation knows fosite.
//
// # Exactly once
//
// fosite reads a code or refresh token, then later marks it used; two requests that race
// between the read and the mark both win (fosite issue #778). The Adapter instead redeems
// codes through provider.CodeRedeemer and rotates refresh tokens through
// provider.RefreshRotator, which succeed once per record however many callers race, and
// reports the loser as already used. Handler.oauthError maps that to invalid_grant at the HTTP
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
//
// A presented token goes to the format that recognises it (tokenformat.Recognizer: opaque by
// its prefix, jws and jwe by typ and their persistence marker, encrypted by its shape), so
// every built-in format can be enabled at once and clients moved from one to another one by
// one; a custom format without a Recognizer is tried only for a token no format recognised.
// What GenerateAccessToken issued reaches CreateAccessTokenSession on the request's Session,
// and one record is built per token.
package fositeadapter

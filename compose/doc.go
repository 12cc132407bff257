// Package compose wires oauthkit's parts into a ready OAuth 2.0 authorization server: a
// store (given, or opened from a URL), a key set (given, or created in the store under a
// key-encryption key), the access-token formats, and the protocol endpoints for the grants
// you enable (adapters/fosite, the one package that uses fosite), behind one http.Handler.
// compose's API holds only oauthkit's own types: the hooks (LoginHandler, JWTBearerPolicy,
// IntrospectionPolicy) and the Grant constants are adapters/authz's, re-exported here.
//
//	import _ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite" // links sqlite:// and its driver
//
//	srv, err := compose.New(ctx, compose.Config{
//		Issuer:     "https://as.example.com",
//		StorageURL: "sqlite://oauthkit.db",
//		KEK:        kek, // 32 bytes; seals the private keys in the store
//	})
//	if err != nil { … }
//	defer srv.Close()
//	err = compose.NewHTTPServer(":8080", srv).ListenAndServe()
//
// The routes (the Path constants) are the token endpoint, the authorization endpoint (when a
// LoginHandler is configured), introspection (RFC 7662), revocation (RFC 7009), the JWKS
// (RFC 7517), the authorization server metadata (RFC 8414, listing exactly the grants and
// client authentication methods enabled) and, when Config.Registration is set, dynamic
// client registration and management (RFC 7591/7592).
//
// # HTTP hardening
//
// Serve a Server through NewHTTPServer, or set the same limits on an http.Server of your
// own: ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout and MaxHeaderBytes
// (net/http's zero values mean no limit, and a client dripping its body would hold a
// connection as long as it liked). The Server itself bounds request bodies to MaxBodyBytes
// and answers a larger one 413 with invalid_request; a request that repeats a parameter is
// invalid_request, and a parameter sent without a value counts as omitted (RFC 6749 §3.1,
// §3.2).
//
// # The authorization endpoint
//
// A redirect_uri must equal one the client registered, as a string (RFC 9700 §4.1.3); only a
// client registered with application_type native may use any port on a loopback IP literal
// (RFC 8252 §7.3), and a URI with user information never matches. An authorization request
// whose client or redirect URI is in doubt gets an error page, never a redirect. Every
// redirect back to the client, code or error, carries iss (RFC 9207), and the metadata says
// so (authorization_response_iss_parameter_supported).
//
// # Access-token formats
//
// Config.DefaultFormat names the format every client gets unless its AccessTokenFormat
// metadata names another enabled one (Config.Formats): opaque, encrypted (nothing stored),
// jws (RFC 9068, record stored), jws-stateless (nothing stored), jwt-only (the JWT string
// stored, the record rebuilt from it), jwe (the JWT encrypted to the server's own ECDH-ES key
// by default). Any of them may be enabled together: a presented token goes to the format that
// recognises it (the jws modes carry a header marker of their persistence), never through
// trial parsing, so clients can move from one format to another one at a time. Refresh tokens and authorization codes are always opaque and stored. Revoking
// a token of a format that stores nothing puts its grant on the deny-list until the longest
// access-token lifetime has passed, and introspection checks it.
//
// # Introspection
//
// The introspection endpoint answers only confidential clients that authenticate by one of
// Config.AuthMethods; a bearer token or a public client is 401 invalid_client. An access
// token is shown to its own client and to the resource servers (Config.ResourceServers) its
// audience names, or as Config.IntrospectionPolicy decides; a refresh token only to its own
// client. Anyone else gets {"active":false}. Active answers carry token_type (access_token
// or refresh_token), iss, and the exp of the token introspected.
//
// # Exactly once
//
// Authorization codes are redeemed and refresh tokens rotated through the store's
// exactly-once operations: of any number of concurrent redemptions of one code, one gets
// tokens and the others invalid_grant; a code presented twice, or a rotated refresh token
// presented again, revokes its grant.
//
// Unlike fosite's own compose.Compose, New takes typed parameters and returns an error that
// names the field at fault; it never panics on configuration.
//
// # Client secrets
//
// Client secrets are checked by adapters/clientsecret: a secret the server generated is
// high-entropy, so it is stored as a SHA-256 digest and compared in constant time; only a
// secret a person chose is stored with bcrypt. fosite's default (bcrypt for every secret)
// costs about a quarter of a second per token request.
package compose

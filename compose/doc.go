// Package compose wires oauthkit's parts into a ready OAuth 2.0 authorization server: a
// store (given, or opened from a URL), a key set (given, or created in the store under a
// key-encryption key), the access-token formats, and fosite's handlers for the grants you
// enable, behind one http.Handler.
//
//	srv, err := compose.New(ctx, compose.Config{
//		Issuer:     "https://as.example.com",
//		StorageURL: "sqlite://oauthkit.db",
//		KEK:        kek, // 32 bytes; seals the private keys in the store
//	})
//	if err != nil { … }
//	defer srv.Close()
//	http.ListenAndServe(":8080", srv)
//
// The routes (Paths) are the token endpoint, authorization endpoint, introspection (RFC
// 7662), revocation (RFC 7009), the JWKS (RFC 7517) and the authorization server metadata
// (RFC 8414), which lists exactly the grants and client authentication methods enabled.
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

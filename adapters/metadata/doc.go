// Package metadata serves OAuth 2.0 Authorization Server Metadata (RFC 8414): the JSON
// document at /.well-known/oauth-authorization-server that tells clients where the endpoints
// are and what the server supports.
//
// The document is built from a typed Metadata value that lists exactly what the server
// enables — no field is filled in by default, because RFC 8414 gives some omitted fields
// meanings of their own (an omitted grant_types_supported means "authorization_code and
// implicit"; an omitted token_endpoint_auth_methods_supported means "client_secret_basic").
// Validate checks the document against RFC 8414 §2 and NewHandler refuses one that fails, so
// a server never advertises something malformed.
//
// Mount the handler at the path WellKnownPath computes from the issuer (RFC 8414 §3.1: for an
// issuer with a path component, the well-known segment goes between the host and the path):
//
//	m := metadata.Metadata{
//		Issuer:                            "https://as.example.com",
//		TokenEndpoint:                     "https://as.example.com/token",
//		JWKSURI:                           "https://as.example.com/jwks.json",
//		GrantTypesSupported:               []string{"client_credentials"},
//		ResponseTypesSupported:            []string{},
//		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
//	}
//	h, err := metadata.NewHandler(m, metadata.Options{})
//	path, err := metadata.WellKnownPath(m.Issuer)
//	mux.Handle("GET "+path, h)
//
// The JWKS endpoint itself (RFC 7517) is served by the key set:
// (*keyset.Set).Handler in tokenformat/keyset; put its URL in JWKSURI.
package metadata

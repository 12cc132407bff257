// Command customtoken is the reference for a custom access-token format: PASETO v4.public
// tokens (built with aidanwoods.dev/go-paseto) issued by an oauthkit authorization server to
// the clients that choose them, and validated by a resource server.
//
// The format is one type implementing tokenformat.Format (format.go), named "paseto-v4",
// found by its "v4.public." prefix (tokenformat.Recognizer), signed with the server's own
// Ed25519 key and naming that key's kid in the footer. compose builds it with the server's
// key set through its constructor:
//
//	compose.Config{
//		Keys:          keys, // a key set holding an EdDSA key
//		CustomFormats: map[string]tokenformat.Constructor{"paseto-v4": NewFormat},
//		…
//	}
//
// A client gets paseto-v4 tokens when its metadata says so: provider.Client.AccessTokenFormat,
// or access_token_format in an RFC 7591 registration request; the others keep the default
// (jws). The resource server puts a custom validation.Validator (validator.go) in a
// validation.Chain beside the local JWT validator, both reading the issuer's JWKS:
//
//	validation.Chain{JWT: jwtValidator, Opaque: pasetoValidator}
//
// Run it, then follow the two commands it prints:
//
//	go run ./examples/customtoken
//
// It serves an authorization server (memory store, keys generated at start, so tokens do not
// survive a restart) with the client "demo" on paseto-v4, and a resource server whose
// GET /hello answers the token's sub, client_id and scope. Flags:
//
//	-addr ADDR            address of the authorization server; the issuer is http://ADDR
//	                      (default 127.0.0.1:8080)
//	-api-addr ADDR        address of the resource server (default 127.0.0.1:8081)
//	-audience ID          the resource server's identifier, the aud of its tokens
//	                      (default "api")
//	-open-registration    allow RFC 7591 registration at /oauth2/register without an
//	                      initial access token (for trying access_token_format out)
package main

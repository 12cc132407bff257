// Package registration serves OAuth 2.0 Dynamic Client Registration (RFC 7591) and its
// management protocol (RFC 7592) over a provider.ClientManager, in plain net/http.
//
//	POST   {endpoint}        register a client → 201 with client_id, client_secret, …
//	GET    {endpoint}/{id}   read it           (Authorization: Bearer <registration_access_token>)
//	PUT    {endpoint}/{id}   replace its metadata
//	DELETE {endpoint}/{id}   delete it → 204
//
// A client registered here gets a client_id, a client_secret when its
// token_endpoint_auth_method is client_secret_basic or client_secret_post, and a
// registration access token. The secret and the token are generated with
// clientsecret.Generate (256 random bits) and returned once; the store keeps only their
// clientsecret.Hash in Client.SecretHash and Client.RegistrationTokenHash. Because only the
// hash is kept, client_secret_jwt (which needs the secret in clear as an HMAC key) is not
// offered. A read or update answers with the registration access token that authenticated
// it (RFC 7592 §3 requires the member; the server cannot recover it from the hash) and never
// with the client secret, except the one freshly issued when an update switches a client to
// a secret-based method.
//
// # What is checked
//
// Registration is refused with 400 and an RFC 7591 §3.2.2 error:
//   - invalid_redirect_uri: a redirect URI that is relative, has a fragment, uses http on a
//     host that is not loopback, or a scheme that is neither https, http (loopback), nor a
//     private-use reverse-domain scheme for native apps (RFC 8252 §7.1, "com.example.app:");
//     and no redirect URI at all when authorization_code or implicit is registered.
//   - invalid_client_metadata: a grant type or response type the server does not enable, the
//     two inconsistent (RFC 7591 §2.1), an auth method not enabled, private_key_jwt without
//     jwks or jwks_uri, both jwks and jwks_uri, a jwks with a private or symmetric key, a
//     jwks_uri that jwksfetch refuses (not https, user information, or a host that is an
//     internal address or localhost; Options.JWKSURI), a scope
//     outside Options.Scopes, an access_token_format outside Options.AccessTokenFormats, a
//     public client asking for client_credentials, a member of the wrong JSON type.
//   - invalid_request: a body that is not a JSON object, not application/json, or larger
//     than Options.MaxBodyBytes (413).
//
// Members this server does not understand are kept verbatim in Client.Metadata and returned
// on read (RFC 7591 §2). A software_statement is ignored, as RFC 7591 §3.1.1 allows a server
// that does not support software statements to do, and it is not stored. Members the server
// controls (client_id_issued_at, client_secret_expires_at, registration_access_token,
// registration_client_uri) are ignored in requests.
//
// # Authorization of registration
//
// Registration is either open (Options.Open) or requires an initial access token
// (Options.InitialAccessTokens, RFC 7591 §3); New refuses a configuration that says neither,
// so that open registration is never a silent default. The management requests require the
// client's registration access token; a wrong, missing or unknown one gets 401 invalid_token
// (RFC 6750 §3) and does not reveal whether the client exists.
//
// Deleting a client does not revoke tokens already issued to it (RFC 7592 §2.3 says SHOULD):
// the provider contract has no per-client revocation yet.
package registration

// Package jwe is the encrypted JWT access-token format: the RFC 9068 JWS of package jws,
// nested in a compact JWE (RFC 7516, RFC 7519 §5.2 "cty":"JWT") to a recipient's public key,
// so that only the resource server holding the private key can read the token's claims.
//
// Issue signs with the jws format, then encrypts to the key Options.Recipient picks for the
// record (per client or per audience: RecipientByClient and RecipientByAudience build the common
// choosers) with
// RSA-OAEP-256 or ECDH-ES+A256KW and A256GCM. The outer header carries the recipient's kid,
// "cty":"JWT" and also "typ":"at+jwt": RFC 9068 §4 has a resource server check typ before it
// decrypts, and RFC 7519 §5.3 allows header parameters to be replicated for that purpose.
//
// Parse is for whoever holds the private key (Options.Decryption): it refuses tokens over
// the size limit, segments that are not strict base64url, alg or enc outside the allow-lists,
// a header with zip, crit, jku, x5u, jwk or x5c, a cty other than JWT or a typ other than
// at+jwt, then decrypts with the key named by kid and verifies the inner JWS with the jws
// format. The Token's Key is the inner jti, as in jws; Stub and Restore of package jws serve
// StoreTokenOnly for jwe as well.
package jwe

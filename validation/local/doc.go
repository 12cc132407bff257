// Package local validates JWT access tokens (RFC 9068) inside the resource server, with no
// call to the authorization server per request.
//
// A Validator checks, in this order: the size cap; the compact JWS shape; the header (alg
// from an explicit allow-list of asymmetric algorithms; typ at+jwt; no crit, jku, jwk, x5u
// or x5c); the key named by kid, whose type, curve and JWK alg must fit alg; the signature;
// then the claims (iss equal to the configured issuer, aud naming this resource, exp, iat,
// sub, client_id and jti present, exp/nbf/iat against an injected clock with a bounded
// leeway). Issuer, audience and algorithms are required: no zero value turns a check off.
//
// The hot path is oauthkit's one JOSE core (internal/josecore: split, strict base64url, the
// header reader, r||s verified with crypto/ecdsa) and its one claims parser, the same code
// the authorization server's jws format runs, so it costs little more than the signature
// check; see BENCHMARKS.md ("JOSE core") and docs/benchmarks/validation.md.
//
// The keys are any tokenformat.KeyLookup — the authorization server's own key set works as
// well — usually StaticKeys (ParseJWKS, ParsePEM, KeysFromCertificates) or RemoteKeys
// (NewRemote with a jwks_uri, or Discover with an issuer), which caches the set per its
// Cache-Control, refreshes it on an unknown kid at most once per cooldown with concurrent
// refreshes coalesced, and keeps the last good set while the endpoint is down.
//
// With Options.Decryption a Validator also opens JWE tokens (a JWS nested in a JWE, as
// tokenformat/jwe makes them); FormatValidator validates tokens of any tokenformat.Format,
// such as encrypted-state tokens, with the format's shared key.
//
//	keys, err := local.Discover("https://as.example.com", local.RemoteOptions{})
//	v, err := local.New("https://as.example.com", "https://api.example.com",
//		[]string{"ES256"}, keys, local.Options{Leeway: 5 * time.Second})
//	claims, err := v.Validate(ctx, token)
package local

// Package jwksfetch fetches the JSON Web Key Sets that OAuth clients publish at their
// jwks_uri (RFC 7591 §2), safely: a jwks_uri is chosen by the client, so every fetch is a
// request the server makes on an untrusted party's behalf (server-side request forgery) and
// every answer is untrusted input.
//
// A Fetcher therefore:
//   - fetches only https URLs (http only on a loopback host with Options.AllowLoopbackHTTP,
//     for development), without user information or fragment;
//   - connects only to addresses its policy allows, checked on every resolved IP at dial
//     time, so a name that resolves (or rebinds) to a private, loopback, link-local or cloud
//     metadata address is refused before a connection is made (DefaultAllowAddress);
//   - bounds each fetch in time (Options.Timeout) and size (Options.MaxBytes), never follows
//     a redirect, never retries, and ignores proxy settings of the environment;
//   - keeps the public keys only, and caches each set for Options.TTL; a refresh (for an
//     unknown kid) reaches the remote at most once per Options.Cooldown per URI, failures
//     included, and concurrent lookups of one URI share one request;
//   - returns only its sentinel errors, which never carry what the remote answered (status,
//     headers or body): the error a client sees must not make the server a scanning oracle.
//
// ValidateURI applies the static part of these rules to a jwks_uri at registration.
//
// The package does not depend on fosite; adapters/fosite wraps a Fetcher as fosite's
// JWKSFetcherStrategy.
//
//	f, err := jwksfetch.New(jwksfetch.Options{})
//	set, err := f.Get(ctx, client.JWKSURI, false)
package jwksfetch

// Package jws is the RFC 9068 JWT access-token format: a compact JWS with the header
// {"alg":…,"kid":…,"typ":"at+jwt"} over the claims iss, sub, aud, client_id, scope, jti, iat,
// exp and, where known, auth_time, plus extra claims from provider.Record.Claims and a
// per-client hook.
//
// The hot path (Issue and Parse) is written by hand rather than through go-jose: headers are
// precomputed per key, claims are appended without reflection, and ECDSA signatures are
// converted between ASN.1 and the raw r||s form of RFC 7518 §3.4 directly. Supported
// algorithms are ES256 (the default), ES384, EdDSA, RS256 and PS256.
//
// # Keys and storage keys
//
// Issue signs with tokenformat.KeySource.Active(ctx, "sig", alg); Parse looks the header's
// kid up with KeySource.Lookup, so a token signed by a retired key still verifies and one
// signed by an evicted key does not. The Token's Key is the token's jti: it is the storage
// key under StoreRecord and StoreTokenOnly, and the value to deny (provider.DenyList) to
// revoke a token under StoreNothing.
//
// # Persistence
//
// Options.Persistence chooses what an adapter keeps:
//
//   - StoreRecord (the default): store the full record under Token.Key; validate by
//     introspection or locally by signature, as the resource server prefers.
//   - StoreNothing: store nothing; the token is self-contained and revocation adds
//     Token.Key (the jti) to the deny-list until the token's expiry.
//   - StoreTokenOnly: store the record's indexing fields with the JOSE string, and rebuild
//     the record on read by parsing the stored string again. Revocation deletes it. The
//     stored string is a live bearer token: choose this mode only where the store is as
//     trusted as the signing key (it is Apache CXF's storeJwtTokenKeyOnly).
//
// Every issued token names its mode in the protected header (MarkerHeader "pst"), so
// Recognize tells the modes apart from the header alone and formats of all three modes can
// be enabled side by side; a token without the marker (issued before it existed) belongs
// to the StoreRecord mode.
//
// # What Parse refuses
//
// Parse refuses, with an error matching tokenformat.ErrInvalidToken: tokens over
// Options.MaxTokenSize; anything but three base64url segments (strict, unpadded); alg
// outside the allow-list, "none", or not matching the key's type, curve or JWK alg; a missing
// kid or one the KeySource does not hold; the header members jku, x5u, jwk and x5c; any crit;
// a typ other than "at+jwt" or "application/at+jwt"; duplicate members; an iss other than the
// configured issuer; a missing sub, aud, client_id, jti, iat or exp; an nbf in the future.
// An authentic token past exp (plus Options.Leeway) returns tokenformat.ErrExpired.
package jws

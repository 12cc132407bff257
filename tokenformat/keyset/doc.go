// Package keyset holds the keys that oauthkit's token formats sign, encrypt and tag with:
// generation, loading (PEM, JWK, JWKS, X.509 certificate plus private key), a rotating key
// set shared through a provider.KeyStore, and the public JWKS view with its HTTP handler.
//
// A Set keeps, for every configured algorithm, one active key (signs or encrypts), one next
// key (published so verifiers learn it before it signs) and the retired keys that still
// verify and decrypt until EvictAfter has passed:
//
//	set, err := keyset.New(ctx, store, "default", kek, keyset.Options{
//		Algorithms: []string{keyset.ES256, keyset.A256GCM},
//	})
//	…
//	defer set.Close()
//	_ = set.Schedule(ctx, time.Hour) // rotate once a key has been active for RetireAfter
//	mux.Handle("GET /jwks.json", set.Handler(keyset.HandlerOptions{}))
//
// Servers sharing a store and a set name share the keys: rotation goes through the store's
// compare-and-swap, so they agree on the active key. Private material is sealed with the
// 32-byte key-encryption key (AES-256-GCM) before it reaches the store.
//
// Set and Static implement tokenformat.KeySource. Their Active and Lookup read an immutable
// snapshot without locking or allocating.
//
// # Key policy
//
// The algorithms are an explicit allow-list: ES256, ES384, EdDSA (Ed25519), RS256, PS256 for
// signing; RSA-OAEP-256 and ECDH-ES+A256KW for key encryption; A256GCM (exactly 256 bits) for
// the encrypted-state format and HS256 (at least 256 bits) for opaque tokens. Every loader
// refuses RSA moduli under 2048 or over 4096 bits, RSA public exponents under 65537 or even,
// moduli with the ROCA fingerprint, symmetric secrets under 256 bits, curves and key types
// that do not fit the algorithm, EC private scalars that do not match their public point, and
// JWKs whose "alg", "use" or "key_ops" contradict the job the key is loaded for. X.509
// certificates must be within their validity window, link, and certify the key.
package keyset

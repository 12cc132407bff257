package local

import "context"

// WaitCache blocks until the verified-token cache has applied pending sets (ristretto
// applies them asynchronously).
func WaitCache(v *Validator) {
	if v.cache != nil {
		v.cache.wait()
	}
}

// WaitFetch waits for r's fetch in flight, if any (a stale set refreshes in the background).
func WaitFetch(r *RemoteKeys) { r.waitFetch() }

// VerifySigned exposes the JOSE layer of Validate (without the RFC 9068 rules) to the
// Wycheproof test.
func VerifySigned(v *Validator, token string) ([]byte, error) {
	return v.verifySigned(context.Background(), token, false)
}

// Decrypt exposes the JWE decrypter of Validate to the Wycheproof test.
func Decrypt(v *Validator, token string) (string, error) { return v.decrypt.open(token, false) }

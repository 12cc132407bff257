package local

// WaitCache blocks until the verified-token cache has applied pending sets (ristretto
// applies them asynchronously).
func WaitCache(v *Validator) {
	if v.cache != nil {
		v.cache.wait()
	}
}

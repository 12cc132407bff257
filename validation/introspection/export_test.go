package introspection

// WaitCache blocks until the cache has applied pending sets (ristretto applies them
// asynchronously).
func WaitCache(v *Validator) {
	if v.cache != nil {
		v.cache.Wait()
	}
}

package local

// WaitCache blocks until the verified-token cache has applied pending sets (ristretto
// applies them asynchronously).
func WaitCache(v *Validator) {
	if v.cache != nil {
		v.cache.wait()
	}
}

// WaitFetch waits for r's fetch in flight, if any (a stale set refreshes in the background).
func WaitFetch(r *RemoteKeys) { r.waitFetch() }

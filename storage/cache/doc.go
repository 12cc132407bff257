// Package cache is a read-through decorator for a provider.Store that serves what is read far
// more often than written — clients and key sets — from a bounded in-memory cache
// (github.com/dgraph-io/ristretto/v2), and passes everything else straight through.
//
//	base, _ := redisstore.Open(ctx, "redis://127.0.0.1:6379/0", redisstore.Options{})
//	store, err := cache.New(base, cache.Options{MaxCost: 16 << 20, TTL: time.Minute})
//	defer store.Close()
//
// It never caches a token record, the answer of RedeemCode or RotateRefreshToken, a deny-list
// answer, or anything else that says whether a token is valid: those go to the wrapped store
// every time, so revocation takes effect at once.
//
// Writes through the cache (CreateClient, UpdateClient, DeleteClient, SaveKeySet) drop the
// entry they change before they return, and a read that raced the write cannot put the old
// value back. Writes that bypass this cache — made on another node, or on the wrapped store
// directly — are seen once the entry's TTL has run out; with several nodes, publish a next
// key at least TTL before activating it. SaveKeySet stays safe regardless: the wrapped store's
// compare-and-swap refuses a save based on a stale version with provider.ErrConflict.
//
// Every value handed out is a copy. Store implements provider.Unwrapper, so provider.As finds
// the wrapped store's optional capabilities (Pinger, Collector) behind it.
package cache

package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"sync"
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/oauthkit/oauthkit/provider"
)

// Defaults for the zero Options.
const (
	DefaultMaxCost = 32 << 20 // bytes
	DefaultTTL     = time.Minute
)

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// MaxCost bounds the cache's size, in bytes of cached clients and key sets (an estimate
	// of their encoded size). Zero means DefaultMaxCost; negative is an error.
	MaxCost int64
	// TTL bounds how long an entry is served after it was read from the wrapped store. It is
	// how long a change made behind the cache (on another node, or straight in the store) can
	// go unseen here; changes made through this Store are seen at once. Zero means
	// DefaultTTL; negative is an error.
	TTL time.Duration
}

// Store is a provider.Store that serves clients and key sets from memory and passes
// everything else to the store it wraps. It is safe for concurrent use.
type Store struct {
	next  provider.Store
	ttl   time.Duration
	cache *ristretto.Cache[string, entry]

	seed    maphash.Seed
	stripes [stripeCount]stripe

	closeOnce sync.Once
}

var (
	_ provider.Store        = (*Store)(nil)
	_ provider.Unwrapper    = (*Store)(nil)
	_ provider.ClientReader = (*Store)(nil)
	_ provider.KeyStore     = (*Store)(nil)
	_ io.Closer             = (*Store)(nil)
)

// entry is one cached value: a client or a key set, never both.
type entry struct {
	client *provider.Client
	set    *provider.KeySet
}

// stripeCount stripes of generation counters guard against a read that raced a write putting
// back what the write replaced (see fill).
const stripeCount = 64

type stripe struct {
	mu  sync.Mutex
	gen uint64
}

// New returns a Store that caches store's clients and key sets. Close stops the cache; the
// wrapped store stays its owner's to close.
func New(store provider.Store, opts Options) (*Store, error) {
	if store == nil {
		return nil, fmt.Errorf("cache: New: %w: nil store", provider.ErrInvalid)
	}
	if opts.MaxCost < 0 {
		return nil, fmt.Errorf("cache: New: %w: negative Options.MaxCost", provider.ErrInvalid)
	}
	if opts.TTL < 0 {
		return nil, fmt.Errorf("cache: New: %w: negative Options.TTL", provider.ErrInvalid)
	}
	if opts.MaxCost == 0 {
		opts.MaxCost = DefaultMaxCost
	}
	if opts.TTL == 0 {
		opts.TTL = DefaultTTL
	}
	// Ten counters per entry the cache can hold, at a typical 512 bytes an entry.
	counters := max(opts.MaxCost/512*10, 1000)
	c, err := ristretto.NewCache(&ristretto.Config[string, entry]{
		NumCounters:        counters,
		MaxCost:            opts.MaxCost,
		BufferItems:        64,
		IgnoreInternalCost: true,
	})
	if err != nil {
		return nil, fmt.Errorf("cache: New: %w", err)
	}
	return &Store{next: store, ttl: opts.TTL, cache: c, seed: maphash.MakeSeed()}, nil
}

// Unwrap returns the wrapped store, so that provider.As reaches its optional capabilities
// (Pinger, Collector, …).
func (s *Store) Unwrap() any { return s.next }

// Close stops the cache's goroutines and drops what it holds. Call it once the Store is no
// longer in use (ristretto does not allow Close to race its other methods); calls made after
// Close go straight to the wrapped store. The wrapped store is not closed.
func (s *Store) Close() error {
	s.closeOnce.Do(s.cache.Close)
	return nil
}

func clientKey(id string) string   { return "c\x00" + id }
func keySetKey(name string) string { return "k\x00" + name }

func (s *Store) stripe(key string) *stripe {
	return &s.stripes[maphash.String(s.seed, key)%stripeCount]
}

// generation returns key's stripe generation, read before the wrapped store is.
func (s *Store) generation(key string) uint64 {
	st := s.stripe(key)
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.gen
}

// fill caches e under key if no write to key's stripe happened since gen was read. Without
// the check, a read that fetched the old value could store it after a write had invalidated
// the entry, and the old value would be served until the TTL ran out.
func (s *Store) fill(key string, gen uint64, e entry, cost int64) {
	st := s.stripe(key)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.gen != gen {
		return
	}
	if s.cache.SetWithTTL(key, e, cost, s.ttl) {
		// Set is applied asynchronously; waiting makes the next read a hit and keeps the
		// order of this Set and a later invalidation's Del.
		s.cache.Wait()
	}
}

// invalidate drops key after a write through the wrapped store, successful or not (a failed
// write may still have been applied).
func (s *Store) invalidate(key string) {
	st := s.stripe(key)
	st.mu.Lock()
	st.gen++
	s.cache.Del(key)
	st.mu.Unlock()
	// Del takes effect at once, but a Set queued before it is applied later by ristretto's
	// goroutine and then deleted again; waiting for the queue means that when the write
	// returns no reader can see the old value.
	s.cache.Wait()
}

// Client returns the client with the given ID, from the cache when it holds it. The caller
// gets its own copy.
func (s *Store) Client(ctx context.Context, id string) (*provider.Client, error) {
	key := clientKey(id)
	if e, ok := s.cache.Get(key); ok && e.client != nil {
		return e.client.Clone(), nil
	}
	gen := s.generation(key)
	c, err := s.next.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	s.fill(key, gen, entry{client: c.Clone()}, clientCost(c))
	return c, nil
}

// CreateClient stores a new client in the wrapped store and drops any cached entry for its ID.
func (s *Store) CreateClient(ctx context.Context, c *provider.Client) error {
	err := s.next.CreateClient(ctx, c)
	if c != nil && !errors.Is(err, provider.ErrInvalid) {
		s.invalidate(clientKey(c.ID))
	}
	return err
}

// UpdateClient replaces a client in the wrapped store and drops the cached entry.
func (s *Store) UpdateClient(ctx context.Context, c *provider.Client) error {
	err := s.next.UpdateClient(ctx, c)
	if c != nil && !errors.Is(err, provider.ErrInvalid) {
		s.invalidate(clientKey(c.ID))
	}
	return err
}

// DeleteClient removes a client from the wrapped store, which revokes everything issued to it
// (token records are never cached here, so nothing of them lingers), and drops the cached
// entry. Another node's cache holds the client until its TTL runs out.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	err := s.next.DeleteClient(ctx, id)
	s.invalidate(clientKey(id))
	return err
}

// ListClients passes through: listing is rare and its pages are not cached.
func (s *Store) ListClients(ctx context.Context, after string, limit int) ([]*provider.Client, error) {
	return s.next.ListClients(ctx, after, limit)
}

// KeySet returns the key set with the given name, from the cache when it holds it. The
// caller gets its own copy.
func (s *Store) KeySet(ctx context.Context, name string) (*provider.KeySet, error) {
	key := keySetKey(name)
	if e, ok := s.cache.Get(key); ok && e.set != nil {
		return e.set.Clone(), nil
	}
	gen := s.generation(key)
	set, err := s.next.KeySet(ctx, name)
	if err != nil {
		return nil, err
	}
	s.fill(key, gen, entry{set: set.Clone()}, keySetCost(set))
	return set, nil
}

// SaveKeySet saves through the wrapped store (whose compare-and-swap still decides) and drops
// the cached entry. A node that reads a set cached before another node saved it holds a
// version that SaveKeySet refuses with ErrConflict, so a stale read never overwrites a newer
// set; reread it (the conflict has dropped the entry) and apply the change again.
func (s *Store) SaveKeySet(ctx context.Context, set *provider.KeySet) error {
	err := s.next.SaveKeySet(ctx, set)
	if set != nil && !errors.Is(err, provider.ErrInvalid) {
		s.invalidate(keySetKey(set.Name))
	}
	return err
}

// Token passes through: whether a token is valid is never cached.
func (s *Store) Token(ctx context.Context, kind provider.Kind, key string) (*provider.Record, error) {
	return s.next.Token(ctx, kind, key)
}

// CreateToken passes through.
func (s *Store) CreateToken(ctx context.Context, r *provider.Record) error {
	return s.next.CreateToken(ctx, r)
}

// DeleteToken passes through.
func (s *Store) DeleteToken(ctx context.Context, kind provider.Kind, key string) error {
	return s.next.DeleteToken(ctx, kind, key)
}

// RedeemCode passes through: its answer is never cached.
func (s *Store) RedeemCode(ctx context.Context, key string) (*provider.Record, error) {
	return s.next.RedeemCode(ctx, key)
}

// RotateRefreshToken passes through: its answer is never cached.
func (s *Store) RotateRefreshToken(ctx context.Context, key string) (*provider.Record, error) {
	return s.next.RotateRefreshToken(ctx, key)
}

// RevokeGrant passes through.
func (s *Store) RevokeGrant(ctx context.Context, grantID string, kinds ...provider.Kind) error {
	return s.next.RevokeGrant(ctx, grantID, kinds...)
}

// Deny passes through.
func (s *Store) Deny(ctx context.Context, jti string, until time.Time) error {
	return s.next.Deny(ctx, jti, until)
}

// Denied passes through: deny-list answers are never cached.
func (s *Store) Denied(ctx context.Context, jti string) (bool, error) {
	return s.next.Denied(ctx, jti)
}

// clientCost estimates a client's size in bytes.
func clientCost(c *provider.Client) int64 {
	n := 256 + len(c.ID) + len(c.SecretHash) + len(c.RegistrationTokenHash) + len(c.Name) +
		len(c.TokenEndpointAuthMethod) + len(c.JWKS) + len(c.JWKSURI) + len(c.AccessTokenFormat) + len(c.Metadata)
	for _, ss := range [][]string{c.RedirectURIs, c.GrantTypes, c.ResponseTypes, c.Scopes, c.Audience} {
		for _, s := range ss {
			n += 16 + len(s)
		}
	}
	return int64(n)
}

// keySetCost estimates a key set's size in bytes.
func keySetCost(s *provider.KeySet) int64 {
	n := 64 + len(s.Name)
	for _, k := range s.Keys {
		n += 128 + len(k.ID) + len(k.Use) + len(k.Algorithm) + len(k.State) + len(k.Public) + len(k.Sealed)
	}
	return int64(n)
}

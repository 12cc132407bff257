package keyset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// Options tunes a Set. The zero value is a set of ES256 signing keys with the defaults below.
type Options struct {
	// Algorithms are the algorithms the set keeps an active and a next key for (one of the
	// algorithm constants each). Default: ES256 only. Keys of other algorithms may still be
	// imported with Add.
	Algorithms []string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// RetireAfter is how long a key stays active before RotateIfDue (and so Schedule) retires
	// it. Default: 24 hours. Rotate retires the active key whatever its age.
	RetireAfter time.Duration
	// EvictAfter is how long a retired key keeps verifying and decrypting before a rotation
	// evicts it for good. It must be at least the longest lifetime of anything the key
	// signed or encrypted: the access-token lifetime, and the refresh-token lifetime when
	// the set holds the HMAC key of opaque tokens. A token made by an evicted key no longer
	// verifies. Default: 7 days.
	EvictAfter time.Duration
	// MinReloadInterval bounds how often a Lookup of an unknown kid reloads the set from the
	// store (to notice another server's rotation), so that forged kids cannot hammer the
	// store. Default: 10 seconds.
	MinReloadInterval time.Duration
	// RSABits is the modulus size of generated RSA keys: 2048 (default), 3072 or 4096.
	RSABits int
	// Logger receives rotation events and background errors; default slog.Default(). No key
	// material is ever logged.
	Logger *slog.Logger
}

// Default option values.
const (
	DefaultRetireAfter       = 24 * time.Hour
	DefaultEvictAfter        = 7 * 24 * time.Hour
	DefaultMinReloadInterval = 10 * time.Second
)

// Set is a named key set persisted through a provider.KeyStore and shared by every server
// that uses the same store and name: they all sign with the same active key and publish the
// same JWKS. Private material reaches the store only sealed with the key-encryption key.
//
// Keys move next → active → retired → evicted. Rotate is one step of that cycle; the store's
// compare-and-swap (SaveKeySet) makes concurrent rotations on several servers serialise
// rather than diverge. A Set notices another server's change when it reloads: on Refresh, on
// a Lookup of an unknown kid (at most once per MinReloadInterval), on every write, and on
// every tick of Schedule.
//
// Servers sharing a set should configure the same Algorithms: each generates keys only for
// its own, though any of them promotes an imported next key on Rotate.
//
// Set implements tokenformat.KeySource; Active and Lookup are a lock-free read of an
// immutable snapshot. A Set is safe for concurrent use. Close stops its background work.
type Set struct {
	store       provider.KeyStore
	name        string
	sealer      *sealer
	algs        []string
	now         func() time.Time
	retireAfter time.Duration
	evictAfter  time.Duration
	minReload   time.Duration
	rsaBits     int
	log         *slog.Logger

	snap     atomic.Pointer[snapshot]
	mu       sync.Mutex   // serialises reloads and writes
	lastMiss atomic.Int64 // Unix nanoseconds of the last reload caused by an unknown kid

	scheduled atomic.Bool
	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

var _ tokenformat.KeySource = (*Set)(nil)

// maxAttempts bounds the compare-and-swap retries of one write.
const maxAttempts = 64

// New loads the key set stored under name, or creates it, and makes sure it holds an active
// and a next key for every algorithm in opts.Algorithms. kek is the 32-byte key-encryption
// key that seals private material; every server sharing the set needs the same one. A wrong
// kek fails with an error matching ErrSealed.
func New(ctx context.Context, store provider.KeyStore, name string, kek []byte, opts Options) (*Set, error) {
	if store == nil {
		return nil, errors.New("keyset: New: nil store")
	}
	if name == "" || len(name) > provider.MaxKeyLen {
		return nil, errors.New("keyset: New: name must be 1 to 255 bytes")
	}
	sl, err := newSealer(kek)
	if err != nil {
		return nil, err
	}
	s := &Set{
		store:       store,
		name:        name,
		sealer:      sl,
		algs:        slices.Clone(opts.Algorithms),
		now:         opts.Now,
		retireAfter: opts.RetireAfter,
		evictAfter:  opts.EvictAfter,
		minReload:   opts.MinReloadInterval,
		rsaBits:     opts.RSABits,
		log:         opts.Logger,
		done:        make(chan struct{}),
	}
	if len(s.algs) == 0 {
		s.algs = []string{ES256}
	}
	seen := map[string]bool{}
	for _, alg := range s.algs {
		if _, err := lookupSpec(alg); err != nil {
			return nil, fmt.Errorf("keyset: Options.Algorithms: %w", err)
		}
		if seen[alg] {
			return nil, fmt.Errorf("keyset: Options.Algorithms: %q listed twice", alg)
		}
		seen[alg] = true
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch {
	case s.retireAfter < 0, s.evictAfter < 0, s.minReload < 0:
		return nil, errors.New("keyset: Options: negative duration")
	}
	if s.retireAfter == 0 {
		s.retireAfter = DefaultRetireAfter
	}
	if s.evictAfter == 0 {
		s.evictAfter = DefaultEvictAfter
	}
	if s.minReload == 0 {
		s.minReload = DefaultMinReloadInterval
	}
	switch s.rsaBits {
	case 0:
		s.rsaBits = minRSABits
	case 2048, 3072, 4096:
	default:
		return nil, fmt.Errorf("keyset: Options.RSABits must be 2048, 3072 or 4096, not %d", s.rsaBits)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("keyset", name)
	if err := s.update(ctx, s.ensure); err != nil {
		return nil, err
	}
	return s, nil
}

// Name returns the name the set is stored under.
func (s *Set) Name() string { return s.name }

// Active returns the active key for use and alg. It implements tokenformat.KeySource; the
// key holds private material and must not be modified.
func (s *Set) Active(_ context.Context, use, alg string) (*jose.JSONWebKey, error) {
	return s.snap.Load().activeKey(use, alg)
}

// Lookup returns the key with the given kid if it is next, active or retired. An unknown kid
// makes the set reload from the store, at most once per MinReloadInterval, in case another
// server has rotated; it then returns an error matching tokenformat.ErrUnknownKey.
func (s *Set) Lookup(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	if k := s.snap.Load().lookup(kid); k != nil {
		return k, nil
	}
	now := s.now().UnixNano()
	last := s.lastMiss.Load()
	if now-last < int64(s.minReload) || !s.lastMiss.CompareAndSwap(last, now) {
		return nil, unknownKID(kid)
	}
	if err := s.Refresh(ctx); err != nil {
		s.log.WarnContext(ctx, "keyset: reload on unknown kid failed", "err", err)
		return nil, fmt.Errorf("%w (reload failed: %v)", unknownKID(kid), err)
	}
	if k := s.snap.Load().lookup(kid); k != nil {
		return k, nil
	}
	return nil, unknownKID(kid)
}

// Keys returns the set's keys (next, active and retired), active first.
func (s *Set) Keys() []*Key { return slices.Clone(s.snap.Load().keys) }

// Version returns the store version of the set as last loaded.
func (s *Set) Version() int64 { return s.snap.Load().version }

// JWKS returns the public keys of the set (next, active and retired), with kid, use and alg
// set, and x5c/x5t#S256 for keys loaded with a certificate. Symmetric keys are never included.
func (s *Set) JWKS() jose.JSONWebKeySet { return s.snap.Load().jwks() }

// Refresh reloads the set from the store if another server has changed it.
func (s *Set) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, err := s.store.KeySet(ctx, s.name)
	if err != nil {
		return fmt.Errorf("keyset: load %q: %w", s.name, err)
	}
	if cur := s.snap.Load(); cur != nil && cur.version == stored.Version {
		return nil
	}
	keys, err := s.open(stored)
	if err != nil {
		return err
	}
	snap, err := newSnapshot(stored.Version, keys)
	if err != nil {
		return err
	}
	s.snap.Store(snap)
	return nil
}

// Rotate moves every algorithm one step: the next key becomes active, the active key
// retired, a new next key is generated, and retired keys older than EvictAfter are evicted.
// For an algorithm outside Options.Algorithms it only promotes an imported next key, if any.
// Concurrent rotations, here or on other servers sharing the store, each take effect once,
// one after the other.
func (s *Set) Rotate(ctx context.Context) error {
	return s.update(ctx, func(w *working) (bool, error) { return s.rotate(w, nil) })
}

// RotateIfDue rotates the algorithms whose active key has been active for RetireAfter or
// longer, and evicts retired keys older than EvictAfter. It reports whether it changed the
// set. Any number of servers may call it on a timer: the first to see a key due rotates it,
// the others then find it fresh.
func (s *Set) RotateIfDue(ctx context.Context) (bool, error) {
	var changed bool
	err := s.update(ctx, func(w *working) (bool, error) {
		due := func(g group) bool {
			a := w.find(g, provider.KeyActive)
			return a == nil || !w.now.Before(a.activatedAt.Add(s.retireAfter))
		}
		c, err := s.rotate(w, due)
		changed = c
		return c, err
	})
	return changed, err
}

// Add imports key (with private or secret material) into the set in the given state. An
// active key replaces, and a next key supersedes, the group's current one, which is retired.
// A kid already in the set fails with ErrDuplicateKeyID.
func (s *Set) Add(ctx context.Context, key *Key, state provider.KeyState) error {
	if key == nil {
		return errors.New("keyset: Add: nil key")
	}
	if !key.private {
		return fmt.Errorf("%w: Add needs a key with private material; publish-only keys belong in a Static source", ErrKeyMismatch)
	}
	switch state {
	case provider.KeyNext, provider.KeyActive, provider.KeyRetired:
	default:
		return fmt.Errorf("keyset: Add: unknown state %q", state)
	}
	return s.update(ctx, func(w *working) (bool, error) {
		if w.byID(key.ID()) != nil {
			return false, fmt.Errorf("%w: %q", ErrDuplicateKeyID, truncate(key.ID()))
		}
		k := *key
		k.sealed = nil
		k.state = state
		if k.createdAt.IsZero() {
			k.createdAt = w.now
		}
		g := group{k.Use(), k.Algorithm()}
		switch state {
		case provider.KeyActive:
			k.activatedAt, k.retiredAt = w.now, time.Time{}
			if a := w.find(g, provider.KeyActive); a != nil {
				w.set(a, provider.KeyRetired)
			}
		case provider.KeyNext:
			k.activatedAt, k.retiredAt = time.Time{}, time.Time{}
			if n := w.find(g, provider.KeyNext); n != nil {
				w.set(n, provider.KeyRetired)
			}
		case provider.KeyRetired:
			k.retiredAt = w.now
		}
		w.keys = append(w.keys, &k)
		return true, nil
	})
}

// Schedule runs RotateIfDue and a reload every interval in a goroutine, until ctx is done or
// Close is called. Errors are logged and retried at the next tick. It may be called once.
func (s *Set) Schedule(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		return errors.New("keyset: Schedule: interval must be positive")
	}
	select {
	case <-s.done:
		return errors.New("keyset: Schedule: set is closed")
	default:
	}
	if !s.scheduled.CompareAndSwap(false, true) {
		return errors.New("keyset: Schedule: already scheduled")
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.done:
				return
			case <-t.C:
				if _, err := s.RotateIfDue(ctx); err != nil && ctx.Err() == nil {
					s.log.ErrorContext(ctx, "keyset: scheduled rotation failed", "err", err)
				}
			}
		}
	}()
	return nil
}

// Close stops the goroutine started by Schedule and waits for it to return. The set stays
// readable. Close is idempotent and always returns nil.
func (s *Set) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	s.wg.Wait()
	return nil
}

// working is the mutable copy of a set that a write changes.
type working struct {
	now  time.Time
	keys []*Key
	// made are the keys generated by this attempt; spare, those generated by an earlier
	// attempt of the same write, reused on retry because RSA generation is slow.
	made  []*Key
	spare map[string][]*Key
}

func (w *working) find(g group, st provider.KeyState) *Key {
	for _, k := range w.keys {
		if k.state == st && k.Use() == g.use && k.Algorithm() == g.alg {
			return k
		}
	}
	return nil
}

func (w *working) byID(kid string) *Key {
	for _, k := range w.keys {
		if k.ID() == kid {
			return k
		}
	}
	return nil
}

// set replaces k with a copy in state st, stamping the transition time.
func (w *working) set(k *Key, st provider.KeyState) *Key {
	c := *k
	c.state = st
	switch st {
	case provider.KeyActive:
		c.activatedAt = w.now
	case provider.KeyRetired:
		c.retiredAt = w.now
	}
	for i, x := range w.keys {
		if x == k {
			w.keys[i] = &c
		}
	}
	return &c
}

func (s *Set) fresh(w *working, alg string) (*Key, error) {
	var k *Key
	if sp := w.spare[alg]; len(sp) > 0 {
		c := *sp[len(sp)-1]
		w.spare[alg] = sp[:len(sp)-1]
		k = &c
	} else {
		var err error
		if k, err = generate(alg, genOptions{rsaBits: s.rsaBits}); err != nil {
			return nil, err
		}
	}
	k.createdAt = w.now
	k.activatedAt, k.retiredAt = time.Time{}, time.Time{}
	w.made = append(w.made, k)
	return k, nil
}

// ensure gives every configured algorithm an active and a next key.
func (s *Set) ensure(w *working) (bool, error) {
	changed := false
	for _, alg := range s.algs {
		use, _ := UseOf(alg)
		g := group{use, alg}
		if w.find(g, provider.KeyActive) == nil {
			if n := w.find(g, provider.KeyNext); n != nil {
				w.set(n, provider.KeyActive)
			} else {
				k, err := s.fresh(w, alg)
				if err != nil {
					return false, err
				}
				k.state, k.activatedAt = provider.KeyActive, w.now
				w.keys = append(w.keys, k)
			}
			changed = true
		}
		if w.find(g, provider.KeyNext) == nil {
			k, err := s.fresh(w, alg)
			if err != nil {
				return false, err
			}
			k.state = provider.KeyNext
			w.keys = append(w.keys, k)
			changed = true
		}
	}
	return changed, nil
}

// rotate rotates the groups for which due reports true (all when due is nil), then evicts.
func (s *Set) rotate(w *working, due func(group) bool) (bool, error) {
	configured := map[group]bool{}
	var groups []group
	for _, alg := range s.algs {
		use, _ := UseOf(alg)
		g := group{use, alg}
		configured[g] = true
		groups = append(groups, g)
	}
	for _, k := range w.keys {
		g := group{k.Use(), k.Algorithm()}
		if k.state == provider.KeyNext && !configured[g] && !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	changed := false
	for _, g := range groups {
		if due != nil && !due(g) {
			continue
		}
		n := w.find(g, provider.KeyNext)
		if n == nil && configured[g] {
			k, err := s.fresh(w, g.alg)
			if err != nil {
				return false, err
			}
			k.state = provider.KeyNext
			w.keys = append(w.keys, k)
			n = k
		}
		if n == nil {
			continue
		}
		if a := w.find(g, provider.KeyActive); a != nil {
			w.set(a, provider.KeyRetired)
		}
		promoted := w.set(n, provider.KeyActive)
		s.log.Info("keyset: rotated", "use", g.use, "alg", g.alg, "kid", promoted.ID())
		if configured[g] {
			k, err := s.fresh(w, g.alg)
			if err != nil {
				return false, err
			}
			k.state = provider.KeyNext
			w.keys = append(w.keys, k)
		}
		changed = true
	}
	kept := w.keys[:0]
	for _, k := range w.keys {
		if k.state == provider.KeyRetired && !w.now.Before(k.retiredAt.Add(s.evictAfter)) {
			s.log.Info("keyset: evicted", "use", k.Use(), "alg", k.Algorithm(), "kid", k.ID())
			changed = true
			continue
		}
		kept = append(kept, k)
	}
	w.keys = kept
	return changed, nil
}

// update applies change to the stored set with compare-and-swap, retrying on a lost race
// with the freshly loaded set, and installs the result as the current snapshot.
func (s *Set) update(ctx context.Context, change func(*working) (bool, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	spare := map[string][]*Key{}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		stored, err := s.store.KeySet(ctx, s.name)
		switch {
		case errors.Is(err, provider.ErrNotFound):
			stored = &provider.KeySet{Name: s.name}
		case err != nil:
			return fmt.Errorf("keyset: load %q: %w", s.name, err)
		}
		keys, err := s.open(stored)
		if err != nil {
			return err
		}
		w := &working{now: s.now(), keys: keys, spare: spare}
		changed, err := change(w)
		if err != nil {
			return err
		}
		if !changed {
			snap, err := newSnapshot(stored.Version, keys)
			if err != nil {
				return err
			}
			s.snap.Store(snap)
			return nil
		}
		next := &provider.KeySet{Name: s.name, Version: stored.Version, UpdatedAt: w.now}
		for _, k := range w.keys {
			if k.sealed == nil {
				if k.sealed, err = s.sealer.seal(s.name, k); err != nil {
					return err
				}
			}
			next.Keys = append(next.Keys, provider.Key{
				ID:          k.ID(),
				Use:         k.Use(),
				Algorithm:   k.Algorithm(),
				State:       k.state,
				Public:      k.pubJSON,
				Sealed:      k.sealed,
				CreatedAt:   k.createdAt,
				ActivatedAt: k.activatedAt,
				RetiredAt:   k.retiredAt,
			})
		}
		snap, err := newSnapshot(0, w.keys)
		if err != nil {
			return err
		}
		err = s.store.SaveKeySet(ctx, next)
		if errors.Is(err, provider.ErrConflict) && attempt < maxAttempts {
			clear(spare)
			for _, k := range w.made {
				spare[k.Algorithm()] = append(spare[k.Algorithm()], k)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("keyset: save %q: %w", s.name, err)
		}
		snap.version = next.Version
		s.snap.Store(snap)
		return nil
	}
}

// open turns a stored set into Keys, reusing the parsed keys of the current snapshot when the
// sealed material is unchanged so that a reload does not decrypt every key again.
func (s *Set) open(stored *provider.KeySet) ([]*Key, error) {
	cur := s.snap.Load()
	keys := make([]*Key, 0, len(stored.Keys))
	for i := range stored.Keys {
		pk := &stored.Keys[i]
		switch pk.State {
		case provider.KeyNext, provider.KeyActive, provider.KeyRetired:
		default:
			return nil, fmt.Errorf("%w: stored key %q has unknown state %q", ErrMalformed, truncate(pk.ID), truncate(string(pk.State)))
		}
		var base *Key
		if cur != nil {
			if k := cur.byKID[pk.ID]; k != nil && k.Use() == pk.Use && k.Algorithm() == pk.Algorithm && string(k.sealed) == string(pk.Sealed) {
				base = k
			}
		}
		if base == nil {
			var err error
			if base, err = s.openKey(pk); err != nil {
				return nil, err
			}
		}
		k := *base
		k.state = pk.State
		k.createdAt, k.activatedAt, k.retiredAt = pk.CreatedAt, pk.ActivatedAt, pk.RetiredAt
		keys = append(keys, &k)
	}
	return keys, nil
}

func (s *Set) openKey(pk *provider.Key) (*Key, error) {
	material, err := s.sealer.open(s.name, pk.ID, pk.Use, pk.Algorithm, pk.Sealed)
	if err != nil {
		return nil, err
	}
	chain, err := storedChain(pk.Public)
	if err != nil {
		return nil, fmt.Errorf("keyset: stored key %q: %w", truncate(pk.ID), err)
	}
	k, err := newKey(material, pk.Algorithm, pk.ID, chain)
	if err != nil {
		return nil, fmt.Errorf("keyset: stored key %q: %w", truncate(pk.ID), err)
	}
	if k.Use() != pk.Use {
		return nil, fmt.Errorf("%w: stored key %q has use %q", ErrKeyMismatch, truncate(pk.ID), truncate(pk.Use))
	}
	k.sealed = pk.Sealed
	// A certificate is checked when the key is imported; one that has expired since stays
	// usable (refusing it would take the whole set down) but verifiers that check x5c will
	// refuse it, so say so.
	if now := s.now(); len(chain) > 0 && (now.Before(chain[0].NotBefore) || now.After(chain[0].NotAfter)) {
		s.log.Warn("keyset: certificate of a stored key is outside its validity window", "kid", pk.ID, "not_after", chain[0].NotAfter)
	}
	return k, nil
}

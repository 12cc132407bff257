package memstore

import (
	"context"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// Now is the store's clock: it decides when records and deny-list entries expire and
	// stamps UsedAt. Nil means time.Now.
	Now func() time.Time
	// SweepInterval is how often the background sweeper deletes expired entries. Zero or
	// negative means one minute. Expired entries read as not found whether or not they have
	// been swept; sweeping only returns their memory.
	SweepInterval time.Duration
	// Logger receives a debug line for each sweep that deleted something. Nil means
	// slog.Default().
	Logger *slog.Logger
}

// Store is an in-memory back end implementing every capability of provider.Store, plus
// provider.Collector and io.Closer. It is safe for concurrent use. Records, clients and key
// sets are copied in and out, so callers never share memory with what is stored.
//
// A Store runs one background goroutine, the sweeper, until Close is called. Nothing is
// persisted: the data is gone when the process ends.
type Store struct {
	now    func() time.Time
	logger *slog.Logger

	mu             sync.RWMutex
	tokens         map[tokenID]*provider.Record
	grants         map[string][]tokenID            // grant ID → its records, in no order
	byClient       map[string]map[tokenID]struct{} // client ID → its records
	clients        map[string]*provider.Client
	ids            []string // client IDs in ascending byte order
	denied         map[string]time.Time
	revoked        map[string]time.Time // grant ID → when its revocation mark expires
	deletedClients map[string]time.Time // client ID → when its revocation mark expires
	keySets        map[string]*provider.KeySet

	closeOnce sync.Once
	stop      chan struct{} // closed by Close
	swept     chan struct{} // closed when the sweeper has returned
}

// tokenID is where a record is stored: its kind and key.
type tokenID struct {
	kind provider.Kind
	key  string
}

var (
	_ provider.Store          = (*Store)(nil)
	_ provider.ClientReader   = (*Store)(nil)
	_ provider.ClientManager  = (*Store)(nil)
	_ provider.TokenStore     = (*Store)(nil)
	_ provider.CodeRedeemer   = (*Store)(nil)
	_ provider.RefreshRotator = (*Store)(nil)
	_ provider.GrantRevoker   = (*Store)(nil)
	_ provider.DenyList       = (*Store)(nil)
	_ provider.KeyStore       = (*Store)(nil)
	_ provider.Collector      = (*Store)(nil)
	_ io.Closer               = (*Store)(nil)
)

// New returns an empty Store and starts its sweeper. Call Close to stop the sweeper.
func New(opts Options) *Store {
	s := &Store{
		now:            opts.Now,
		logger:         opts.Logger,
		tokens:         make(map[tokenID]*provider.Record),
		grants:         make(map[string][]tokenID),
		byClient:       make(map[string]map[tokenID]struct{}),
		clients:        make(map[string]*provider.Client),
		denied:         make(map[string]time.Time),
		revoked:        make(map[string]time.Time),
		deletedClients: make(map[string]time.Time),
		keySets:        make(map[string]*provider.KeySet),
		stop:           make(chan struct{}),
		swept:          make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	interval := opts.SweepInterval
	if interval <= 0 {
		interval = time.Minute
	}
	go s.sweep(interval)
	return s
}

// Close stops the background sweeper and waits for it to return. The store stays usable
// (expiry is still honoured on read; expired entries are just no longer swept unless Collect
// is called). Close is idempotent and always returns nil.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.swept
	return nil
}

// sweep calls Collect every interval until Close.
func (s *Store) sweep(interval time.Duration) {
	defer close(s.swept)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if n, _ := s.Collect(context.Background()); n > 0 {
				s.logger.Debug("memstore: swept expired entries", "count", n)
			}
		}
	}
}

// collectBatch is how many entries Collect examines before it lets other callers have the
// lock, which bounds how long a sweep stalls them however big the store is.
const collectBatch = 1024

// Collect deletes every record, revocation mark (of grants and of deleted clients) and
// deny-list entry that has expired and returns how many it
// deleted. The sweeper calls it; calling it directly is safe at any time. It takes the
// write lock for batches of collectBatch entries, not for the whole sweep, and stops early,
// returning ctx's error with the count so far, when ctx is done.
func (s *Store) Collect(ctx context.Context) (int, error) {
	now := s.now()
	n, seen := 0, 0
	s.mu.Lock()
	defer func() { s.mu.Unlock() }()
	// pause lets waiting callers in between batches. Ranging over a map that others change
	// between steps is well defined (entries removed before they are reached are not
	// produced), and every step runs under the lock.
	pause := func() error {
		if seen++; seen%collectBatch != 0 {
			return nil
		}
		s.mu.Unlock()
		runtime.Gosched()
		s.mu.Lock()
		return ctx.Err()
	}
	for id, r := range s.tokens {
		if r.Expired(now) {
			s.remove(id, r)
			n++
		}
		if err := pause(); err != nil {
			return n, err
		}
	}
	for jti, until := range s.denied {
		if !now.Before(until) {
			delete(s.denied, jti)
			n++
		}
		if err := pause(); err != nil {
			return n, err
		}
	}
	for grantID, until := range s.revoked {
		if !now.Before(until) {
			delete(s.revoked, grantID)
			n++
		}
		if err := pause(); err != nil {
			return n, err
		}
	}
	for clientID, until := range s.deletedClients {
		if !now.Before(until) {
			delete(s.deletedClients, clientID)
			n++
		}
		if err := pause(); err != nil {
			return n, err
		}
	}
	return n, nil
}

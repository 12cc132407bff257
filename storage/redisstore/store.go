package redisstore

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/provider"
)

// DefaultPrefix is the prefix of every key when Options.Prefix is empty.
const DefaultPrefix = "oauthkit"

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// Prefix starts every key the store writes, so that several stores (or tests) can share
	// one Redis. It must not contain '{' or '}', which Redis Cluster reads as a hash tag.
	// Empty means DefaultPrefix.
	Prefix string
	// Now is the clock that decides whether a record, code or deny-list entry has expired.
	// Redis expires keys on its own clock as well; a read treats a record as gone once
	// ExpiresAt ≤ Now(), whatever Redis has done. Nil means time.Now.
	Now func() time.Time
	// Logger receives diagnostics; it never sees a token, key or secret. Nil means
	// slog.Default().
	Logger *slog.Logger
}

// Store is a provider.Store kept in Redis: a single node, a Sentinel-managed primary or a
// Cluster, through one go-redis UniversalClient. It is safe for concurrent use.
type Store struct {
	rdb     redis.UniversalClient
	cluster bool // keys of one operation may live on different servers
	owns    bool // Close closes rdb
	prefix  string
	now     func() time.Time
	log     *slog.Logger

	closeOnce sync.Once
	closeErr  error
}

var (
	_ provider.ClientReader   = (*Store)(nil)
	_ provider.ClientManager  = (*Store)(nil)
	_ provider.TokenStore     = (*Store)(nil)
	_ provider.CodeRedeemer   = (*Store)(nil)
	_ provider.RefreshRotator = (*Store)(nil)
	_ provider.GrantRevoker   = (*Store)(nil)
	_ provider.DenyList       = (*Store)(nil)
	_ provider.KeyStore       = (*Store)(nil)
	_ provider.Store          = (*Store)(nil)
	_ provider.Pinger         = (*Store)(nil)
	_ io.Closer               = (*Store)(nil)
)

// New returns a Store that keeps its data through client. The client stays the caller's:
// Close does not close it. For deadlines to bound every call, create the client with
// ContextTimeoutEnabled (Open does).
//
// The store needs Redis 7.0 or later (its scripts use PEXPIRETIME).
func New(client redis.UniversalClient, opts Options) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("redisstore: New: %w: nil client", provider.ErrInvalid)
	}
	if strings.ContainsAny(opts.Prefix, "{}") {
		return nil, fmt.Errorf("redisstore: New: %w: Options.Prefix contains '{' or '}'", provider.ErrInvalid)
	}
	s := &Store{rdb: client, prefix: opts.Prefix, now: opts.Now, log: opts.Logger}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		s.cluster = true
	}
	return s, nil
}

// Redis returns the underlying go-redis client: the escape hatch for what the store does not
// do itself (hooks for metrics or tracing, health checks, housekeeping). It is not named
// Client because provider.ClientReader's Client(ctx, id) holds that name. Keys written through
// it under the store's prefix can break the store's invariants.
func (s *Store) Redis() redis.UniversalClient { return s.rdb }

// Ping reports whether Redis answers; an unreachable server wraps provider.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return s.wrap("ping", err)
	}
	return nil
}

// Close closes the client if the store opened it (Open); a client passed to New is left to
// its owner. Close is safe to call more than once.
func (s *Store) Close() error {
	if !s.owns {
		return nil
	}
	s.closeOnce.Do(func() {
		if err := s.rdb.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
			s.closeErr = fmt.Errorf("redisstore: close: %w", err)
		}
	})
	return s.closeErr
}

// wrap turns a go-redis error into one that wraps a provider sentinel: redis.Nil becomes
// ErrNotFound; a transport failure, a closed client, a deadline or a server that is loading,
// failing over or missing its cluster slots becomes ErrUnavailable with the cause kept. Any
// other error the server answered with is returned as is. Error strings never carry a key.
func (s *Store) wrap(op string, err error) error {
	switch {
	case errors.Is(err, redis.Nil):
		return fmt.Errorf("redisstore: %s: %w", op, provider.ErrNotFound)
	case unavailable(err):
		return fmt.Errorf("redisstore: %s: %w: %w", op, provider.ErrUnavailable, err)
	default:
		s.log.Error("redisstore: unexpected server error", "op", op, "err", err)
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
}

// unavailable reports whether err means Redis could not serve the request now but might later.
func unavailable(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		// Not an answer from the server: a network error, a timeout, a closed pool or
		// client, a cancelled context.
		return true
	}
	for _, p := range []string{"LOADING", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "READONLY", "BUSY", "NOREPLICAS"} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

// stamp renders t as 20 zero-padded decimal digits of Unix nanoseconds, so that the Lua
// scripts can compare instants exactly as strings (a Lua number is a double and would round
// nanoseconds). Instants before 1970 clamp to zero.
func stamp(t time.Time) string {
	var ns int64
	switch {
	case t.Before(time.Unix(0, 0)):
		ns = 0
	case t.After(time.Unix(0, math.MaxInt64)):
		ns = math.MaxInt64
	default:
		ns = t.UnixNano()
	}
	var b [20]byte
	v := strconv.AppendInt(b[:0], ns, 10)
	out := make([]byte, 20)
	copy(out[20-len(v):], v)
	for i := 0; i < 20-len(v); i++ {
		out[i] = '0'
	}
	return string(out)
}

// expireMillis is the PEXPIREAT argument for a value that must live until t: rounded up so
// that Redis never drops it before the instant the store itself would.
func expireMillis(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.After(time.UnixMilli(ms)) {
		ms++
	}
	if ms < 1 {
		ms = 1
	}
	return ms
}

// binaryOf returns v's binary form (provider's one codec for records, clients and key sets,
// which never fails to encode).
func binaryOf(v encoding.BinaryMarshaler) []byte {
	b, _ := v.MarshalBinary()
	return b
}

package customstore

import (
	"context"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage"
)

// Importing the package registers the scheme "bolt" with storage.Open, which is all it takes
// for compose.Config.StorageURL (and examples/authserver's -storage flag) to accept
// bolt://FILE. The path after "bolt://" is the database file, created if missing:
// "bolt://oauth.db" is relative to the working directory, "bolt:///var/lib/oauth.db" absolute.
func init() {
	storage.Register("bolt", func(_ context.Context, rawURL string, _ storage.OpenOptions) (provider.Store, error) {
		path := strings.TrimPrefix(rawURL, "bolt://")
		if path == rawURL || path == "" || strings.ContainsAny(path, "?#") {
			return nil, fmt.Errorf("customstore: %w: want bolt://FILE", provider.ErrInvalid)
		}
		return Open(path, Options{})
	})
}

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// Now is the store's clock: it decides expiry and stamps UsedAt. Nil means time.Now.
	Now func() time.Time
}

// Store is a provider.Store in one bbolt file. bbolt runs one read-write transaction at a
// time, and every method is one transaction, so each operation the contract wants atomic
// (redeem a code, rotate a refresh token, revoke a grant, delete a client) is atomic without
// further locking. It also implements provider.Collector, provider.Pinger and io.Closer.
type Store struct {
	db  *bolt.DB
	now func() time.Time
}

var (
	_ provider.Store     = (*Store)(nil)
	_ provider.Collector = (*Store)(nil)
	_ provider.Pinger    = (*Store)(nil)
)

// The buckets. Index buckets map a composite key to nothing; marks and deny-list entries map
// a name to an expiry time.
var (
	bTokens   = []byte("tokens")         // tokenKey(kind, key) → Record
	bByGrant  = []byte("by_grant")       // field(grantID) + tokenKey → nil
	bByClient = []byte("by_client")      // field(clientID) + tokenKey → nil
	bGrantsRv = []byte("revoked_grants") // grantID → until
	bClientRv = []byte("revoked_client") // clientID → until
	bClients  = []byte("clients")        // client ID → Client; bbolt sorts keys by bytes
	bDenied   = []byte("denied")         // jti → until
	bKeySets  = []byte("key_sets")       // name → KeySet
)

// Open opens (or creates) the bbolt database at path and returns a Store that owns it.
func Open(path string, opts Options) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("customstore: open: %w: %w", provider.ErrUnavailable, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bTokens, bByGrant, bByClient, bGrantsRv, bClientRv, bClients, bDenied, bKeySets} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("customstore: open: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{db: db, now: opts.Now}, nil
}

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether the database is still open.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.View(func(*bolt.Tx) error { return nil }); err != nil {
		return fmt.Errorf("customstore: ping: %w: %w", provider.ErrUnavailable, err)
	}
	return nil
}

// update and view run fn in a read-write or read-only transaction, and report a failure of
// bbolt itself (not an error fn returns on purpose) as provider.ErrUnavailable.
func (s *Store) update(fn func(tx *bolt.Tx) error) error { return wrap(s.db.Update(fn)) }
func (s *Store) view(fn func(tx *bolt.Tx) error) error   { return wrap(s.db.View(fn)) }

func wrap(err error) error {
	if err == nil || errors.Is(err, errContract) {
		return err
	}
	return fmt.Errorf("customstore: %w: %w", provider.ErrUnavailable, err)
}

// errContract marks the errors the contract asks for (not found, conflict…), so that wrap
// tells them from bbolt's own.
var errContract = errors.New("customstore")

func fail(sentinel error, what string) error {
	return fmt.Errorf("%w: %s: %w", errContract, what, sentinel)
}

// field encodes s with a one-byte length so that concatenated fields never run into each
// other; every name the contract allows fits (provider.MaxKeyLen is 255).
func field(s string) []byte { return append([]byte{byte(len(s))}, s...) }

// tokenKey is the key of a record in bTokens and the suffix of its index entries.
func tokenKey(kind provider.Kind, key string) []byte { return append(field(string(kind)), key...) }

// encode and decode store values in provider's binary form, the one codec oauthkit's back
// ends share: it keeps bytes (Claims, Metadata, JWKS) exactly as given, and a decoded value
// shares no memory with bbolt's, which is valid only inside the transaction.
func encode(v encoding.BinaryMarshaler) []byte {
	b, _ := v.MarshalBinary() // provider's types never fail to encode
	return b
}

func decode(data []byte, v encoding.BinaryUnmarshaler) error {
	if err := v.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("%w: %w", errContract, err) // matches provider.ErrCorrupt; not an outage
	}
	return nil
}

// putTime and getTime store an expiry as Unix nanoseconds.
func putTime(b *bolt.Bucket, key string, t time.Time) error {
	return b.Put([]byte(key), binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())))
}

func getTime(b *bolt.Bucket, key string) (time.Time, bool) {
	v := b.Get([]byte(key))
	if len(v) != 8 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))), true
}

// live reports whether the entry under key in b expires after now.
func live(b *bolt.Bucket, key string, now time.Time) bool {
	until, ok := getTime(b, key)
	return ok && now.Before(until)
}

// extend makes the entry under key in b last until at least until; it never shortens one.
func extend(b *bolt.Bucket, key string, until time.Time) error {
	if old, ok := getTime(b, key); ok && !old.Before(until) {
		return nil
	}
	return putTime(b, key, until)
}

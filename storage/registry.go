package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/oauthkit/oauthkit/provider"
)

// ErrUnknownScheme is returned, wrapped, by Open for a URL whose scheme no linked back end
// registered. Its message lists the schemes that are registered.
var ErrUnknownScheme = errors.New("storage: unknown URL scheme")

// OpenOptions are the settings Open passes to every back end. The zero value is valid.
type OpenOptions struct {
	// Logger receives the back end's diagnostics. Nil means slog.Default().
	Logger *slog.Logger
}

// An Opener opens the store named by rawURL, whose scheme is one the Opener was registered
// under, in lower case. It returns a ready store: reachable, with its schema created if it has
// one. The caller closes the store if it implements io.Closer. An Opener is given the URL
// as written, so that forms net/url does not accept (a comma-separated host list) stay
// possible; its errors must not repeat the URL, which may carry a password.
type Opener func(ctx context.Context, rawURL string, opts OpenOptions) (provider.Store, error)

var (
	mu      sync.RWMutex
	openers = map[string]Opener{}
)

// Register makes a back end available under scheme, as database/sql's Register does for
// drivers: a back-end package calls it from init, so that importing the package (blank, if
// nothing else is used) is what links it and its drivers into a program. Schemes are
// case-insensitive. Register panics if scheme is not a valid URL scheme (RFC 3986 §3.1), if
// o is nil, or if the scheme is already registered.
func Register(scheme string, o Opener) {
	scheme = strings.ToLower(scheme)
	if !validScheme(scheme) {
		panic(fmt.Sprintf("storage: Register of invalid scheme %q", scheme))
	}
	if o == nil {
		panic("storage: Register of nil Opener for scheme " + scheme)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := openers[scheme]; dup {
		panic("storage: Register called twice for scheme " + scheme)
	}
	openers[scheme] = o
}

// Open opens the store named by rawURL with the back end registered for its scheme. The
// schemes oauthkit ships are registered by importing their packages:
//
//	memory://                                        storage/memstore
//	sqlite://…, sqlite3://…                          storage/sqlstore/sqlite
//	postgres://…, postgresql://…                     storage/sqlstore/postgres
//	mysql://…, mariadb://…                           storage/sqlstore/mysql
//	redis://…, redis+cluster://…, redis+sentinel://…  storage/redisstore
//	(and rediss://… and so on, over TLS)
//
// A URL without a scheme is an error wrapping provider.ErrInvalid; a scheme nobody
// registered is an error wrapping ErrUnknownScheme that names the package to import for one
// of oauthkit's own schemes, and the registered schemes otherwise. Errors
// never repeat the URL beyond its scheme.
func Open(ctx context.Context, rawURL string, opts OpenOptions) (provider.Store, error) {
	scheme, _, ok := strings.Cut(rawURL, ":")
	scheme = strings.ToLower(scheme)
	if !ok || !validScheme(scheme) {
		return nil, fmt.Errorf("storage: open: %w: not a URL with a scheme", provider.ErrInvalid)
	}
	mu.RLock()
	o := openers[scheme]
	mu.RUnlock()
	if o == nil {
		if pkg, ok := builtin[scheme]; ok {
			return nil, fmt.Errorf("%w %q: its back end is not linked; import _ %q", ErrUnknownScheme, scheme, pkg)
		}
		known := Schemes()
		if len(known) == 0 {
			return nil, fmt.Errorf("%w %q: no back end is linked; import one, such as storage/memstore", ErrUnknownScheme, scheme)
		}
		return nil, fmt.Errorf("%w %q: registered are %s; a back end registers its schemes when its package is imported",
			ErrUnknownScheme, scheme, strings.Join(known, ", "))
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return o(ctx, scheme+rawURL[len(scheme):], opts)
}

// builtin names the package that registers each of oauthkit's own schemes, for the error of
// a program that did not import it.
var builtin = map[string]string{
	"memory":          "github.com/oauthkit/oauthkit/storage/memstore",
	"sqlite":          "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite",
	"sqlite3":         "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite",
	"postgres":        "github.com/oauthkit/oauthkit/storage/sqlstore/postgres",
	"postgresql":      "github.com/oauthkit/oauthkit/storage/sqlstore/postgres",
	"mysql":           "github.com/oauthkit/oauthkit/storage/sqlstore/mysql",
	"mariadb":         "github.com/oauthkit/oauthkit/storage/sqlstore/mysql",
	"redis":           "github.com/oauthkit/oauthkit/storage/redisstore",
	"rediss":          "github.com/oauthkit/oauthkit/storage/redisstore",
	"redis+cluster":   "github.com/oauthkit/oauthkit/storage/redisstore",
	"rediss+cluster":  "github.com/oauthkit/oauthkit/storage/redisstore",
	"redis+sentinel":  "github.com/oauthkit/oauthkit/storage/redisstore",
	"rediss+sentinel": "github.com/oauthkit/oauthkit/storage/redisstore",
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	mu.RLock()
	defer mu.RUnlock()
	s := make([]string, 0, len(openers))
	for k := range openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// validScheme reports whether s is a URL scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ),
// here lower-case and at most 32 bytes.
func validScheme(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

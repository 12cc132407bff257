package jwksfetch

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/netip"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultTimeout    = 2 * time.Second
	DefaultMaxBytes   = 64 << 10
	DefaultTTL        = 10 * time.Minute
	DefaultCooldown   = time.Minute
	DefaultMaxEntries = 4096
)

// Resolver looks up the IP addresses of a host name. *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configures a Fetcher and the rules of ValidateURI. Every zero value is a safe
// default.
type Options struct {
	// Timeout bounds one fetch as a whole: resolving, connecting, TLS, and reading the
	// answer. Zero means DefaultTimeout (2 s).
	Timeout time.Duration
	// MaxBytes bounds the body of an answer; a larger one is refused with ErrTooLarge
	// without being read further. Zero means DefaultMaxBytes (64 KiB).
	MaxBytes int64

	// AllowLoopbackHTTP allows, for development on one machine, a jwks_uri on a loopback
	// host ("localhost", 127.0.0.0/8, ::1) over http or https, and connections to loopback
	// addresses. It never allows other private addresses or http to any other host. Only
	// for a server that itself runs on loopback; compose refuses it otherwise.
	AllowLoopbackHTTP bool
	// AllowAddress decides which IP addresses may be connected to (and appear as IP
	// literals in a jwks_uri), in place of DefaultAllowAddress, which nil means. An
	// integrator whose clients publish keys on an internal network allows that range here
	// (and calls DefaultAllowAddress for the rest); tests use it to allow the loopback
	// address of an httptest server.
	AllowAddress func(netip.Addr) bool
	// Resolver resolves host names before the address check. Nil means net.DefaultResolver.
	Resolver Resolver
	// RootCAs verifies the servers' certificates. Nil means the system's roots.
	RootCAs *x509.CertPool

	// TTL is how long a fetched set is used before it is fetched again. Zero means
	// DefaultTTL (10 minutes).
	TTL time.Duration
	// Cooldown is the least time between two fetches of one URI: a refresh asked for (an
	// unknown kid) within it gets the cached answer, and a failed fetch is answered from
	// the cache (as a failure) for this long. It may not exceed TTL. Zero means
	// DefaultCooldown (one minute), or TTL if that is shorter.
	Cooldown time.Duration
	// MaxEntries bounds the number of URIs cached; when full, an entry is dropped to make
	// room. Zero means DefaultMaxEntries.
	MaxEntries int

	// Now is the clock of the cache. Nil means time.Now.
	Now func() time.Time
	// Logger receives the reason of each failed fetch at Debug (the URI and, for an answer,
	// its status; never a body). Nil means slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Timeout", o.Timeout}, {"TTL", o.TTL}, {"Cooldown", o.Cooldown}} {
		if d.v < 0 {
			return o, errors.New("jwksfetch: Options." + d.name + ": negative")
		}
	}
	if o.MaxBytes < 0 {
		return o, errors.New("jwksfetch: Options.MaxBytes: negative")
	}
	if o.MaxEntries < 0 {
		return o, errors.New("jwksfetch: Options.MaxEntries: negative")
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.Cooldown == 0 {
		o.Cooldown = min(DefaultCooldown, o.TTL)
	}
	if o.Cooldown > o.TTL {
		return o, errors.New("jwksfetch: Options.Cooldown: longer than Options.TTL")
	}
	if o.MaxEntries == 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

// allowed reports whether the options allow connecting to addr.
func (o Options) allowed(addr netip.Addr) bool {
	addr = addr.Unmap()
	if o.AllowLoopbackHTTP && addr.IsLoopback() {
		return true
	}
	if o.AllowAddress != nil {
		return o.AllowAddress(addr)
	}
	return DefaultAllowAddress(addr)
}

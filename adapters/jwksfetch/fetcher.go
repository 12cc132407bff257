package jwksfetch

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/loopback"
)

// Fetcher fetches and caches JWK Sets by URI under the rules of its Options (see the
// package documentation). It is safe for concurrent use and starts no goroutine of its own
// beyond the fetches in flight.
type Fetcher struct {
	opts   Options
	client *http.Client

	mu       sync.Mutex
	entries  map[string]*entry
	inflight map[string]*call
}

// entry is the last answer for one URI: a set or an error, and when it was fetched.
type entry struct {
	set     *jose.JSONWebKeySet
	err     error
	fetched time.Time
}

// call is one fetch in flight; done is closed when e is set.
type call struct {
	done chan struct{}
	e    *entry
}

// New returns a Fetcher with opts, whose zero values are the documented defaults. It
// returns an error naming the field when opts is wrong.
func New(opts Options) (*Fetcher, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	f := &Fetcher{opts: opts, entries: map[string]*entry{}, inflight: map[string]*call{}}
	d := &dialer{opts: opts, resolver: opts.Resolver}
	if d.resolver == nil {
		d.resolver = net.DefaultResolver
	}
	f.client = &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil, // a proxy would connect where the address check cannot see
			DialContext:            d.dialContext,
			TLSClientConfig:        &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout:    opts.Timeout,
			ResponseHeaderTimeout:  opts.Timeout,
			MaxResponseHeaderBytes: 16 << 10,
			DisableCompression:     true,
			// Fetches are rare (TTL, cooldown) and go to parties the server does not trust:
			// no connection is kept open between them.
			DisableKeepAlives: true,
		},
		Timeout: opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errRedirect
		},
	}
	return f, nil
}

var errRedirect = errors.New("jwksfetch: redirect")

// Options returns the options in effect, defaults filled in.
func (f *Fetcher) Options() Options { return f.opts }

// ValidateURI checks uri by f's rules; see Options.ValidateURI.
func (f *Fetcher) ValidateURI(uri string) error { return f.opts.ValidateURI(uri) }

// Get returns the public keys published at uri. It answers from the cache while the set is
// younger than Options.TTL; refresh asks for a new fetch (for an unknown kid), which is made
// only when the last fetch of uri is older than Options.Cooldown, so a client cannot make
// the server fetch its URI more often than that. A failed fetch is remembered for the
// cooldown too. Concurrent calls for one uri share one fetch; each waits at most until its
// ctx is done. The returned set is shared: do not modify it. Errors are the package's
// sentinels.
func (f *Fetcher) Get(ctx context.Context, uri string, refresh bool) (*jose.JSONWebKeySet, error) {
	if err := f.opts.ValidateURI(uri); err != nil {
		return nil, err
	}
	now := f.opts.Now()
	f.mu.Lock()
	if e, ok := f.entries[uri]; ok {
		age := now.Sub(e.fetched)
		if age >= 0 && (age < f.opts.Cooldown || (!refresh && e.err == nil && age < f.opts.TTL)) {
			f.mu.Unlock()
			return e.set, e.err
		}
	}
	c, ok := f.inflight[uri]
	if !ok {
		c = &call{done: make(chan struct{})}
		f.inflight[uri] = c
		// The fetch outlives a caller that gives up: the others wait for it, and its answer
		// is cached. Timeout bounds it.
		go f.fetch(context.WithoutCancel(ctx), uri, c)
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		return c.e.set, c.e.err
	case <-ctx.Done():
		return nil, ErrFetch
	}
}

// fetch fetches uri, caches the answer and completes c.
func (f *Fetcher) fetch(ctx context.Context, uri string, c *call) {
	set, err := f.do(ctx, uri)
	e := &entry{set: set, err: err, fetched: f.opts.Now()}
	f.mu.Lock()
	if _, ok := f.entries[uri]; !ok && len(f.entries) >= f.opts.MaxEntries {
		for k := range f.entries { // an arbitrary one: map order is random
			delete(f.entries, k)
			break
		}
	}
	f.entries[uri] = e
	delete(f.inflight, uri)
	c.e = e
	f.mu.Unlock()
	close(c.done)
}

// do makes one request, without retry, and reads and parses its answer.
func (f *Fetcher) do(ctx context.Context, uri string) (*jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, ErrInvalidURI
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	req.Header.Set("User-Agent", "oauthkit-jwksfetch")
	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrForbiddenAddress) {
			f.opts.Logger.DebugContext(ctx, "jwksfetch: address refused", "uri", uri)
			return nil, ErrForbiddenAddress
		}
		f.opts.Logger.DebugContext(ctx, "jwksfetch: fetch failed", "uri", uri, "redirect", errors.Is(err, errRedirect))
		return nil, ErrFetch
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.opts.Logger.DebugContext(ctx, "jwksfetch: fetch failed", "uri", uri, "status", resp.StatusCode)
		return nil, ErrFetch
	}
	if resp.ContentLength > f.opts.MaxBytes {
		f.opts.Logger.DebugContext(ctx, "jwksfetch: answer too large", "uri", uri, "content_length", resp.ContentLength)
		return nil, ErrTooLarge
	}
	data, err := readLimited(resp.Body, f.opts.MaxBytes)
	if err != nil {
		f.opts.Logger.DebugContext(ctx, "jwksfetch: reading the answer failed", "uri", uri, "too_large", errors.Is(err, ErrTooLarge))
		return nil, err
	}
	set, err := Parse(data)
	if err != nil {
		f.opts.Logger.DebugContext(ctx, "jwksfetch: not a JWK Set", "uri", uri)
		return nil, err
	}
	return set, nil
}

// dialer connects only to addresses the options allow. It resolves the host itself and
// dials the checked IP, so a name cannot resolve to one address for the check and another
// for the connection (DNS rebinding).
type dialer struct {
	opts     Options
	resolver Resolver
	net      net.Dialer
}

func (d *dialer) dialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, ErrFetch
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else if loopback.Host(host) {
		// RFC 6761 §6.3: loopback, whatever a resolver says.
		addrs = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()}
	} else if addrs, err = d.resolver.LookupNetIP(ctx, "ip", host); err != nil || len(addrs) == 0 {
		return nil, ErrFetch
	}
	// Every address must be allowed: a name with one public and one internal address is
	// refused whole, rather than tried in turn.
	for _, a := range addrs {
		if !d.opts.allowed(a) {
			return nil, ErrForbiddenAddress
		}
	}
	var last error
	for _, a := range addrs {
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		last = err
	}
	return nil, last
}

package local

import (
	"context"
	"errors"
	"fmt"
	"github.com/go-jose/go-jose/v4"
	"github.com/oauthkit/oauthkit/tokenformat"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oauthkit/oauthkit/validation"
)

// RemoteOptions configures a RemoteKeys set. The zero value is the default documented on
// each field.
type RemoteOptions struct {
	// HTTPClient makes the requests. Its CheckRedirect is replaced: redirects are never
	// followed. Default: a client of its own with http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each fetch (metadata and key set). Default 10 seconds.
	Timeout time.Duration
	// MaxResponseSize bounds a response body, in bytes. Default 1 MiB.
	MaxResponseSize int64
	// MinRefresh and MaxRefresh bound how long a fetched set is used before it is fetched
	// again: the response's Cache-Control max-age, clamped to [MinRefresh, MaxRefresh]
	// (DefaultRefresh when it has none, or no-cache / no-store). Defaults 1 minute, 24 hours
	// and 15 minutes.
	MinRefresh, MaxRefresh, DefaultRefresh time.Duration
	// Cooldown is the least time between two fetches caused by tokens with unknown kids, and
	// between retries after a failed fetch. Default 30 seconds.
	Cooldown time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// Logger receives fetch failures. Default slog.Default().
	Logger *slog.Logger
}

// RemoteKeys is a verification key set fetched from a JWKS URI, directly or found by issuer
// discovery, and kept fresh:
//
//   - the set is fetched on first use and again when it goes stale, after the response's
//     Cache-Control max-age clamped to [MinRefresh, MaxRefresh]; a stale set keeps
//     answering while the refresh runs in the background;
//   - a token with a kid the set lacks causes a refresh at once, at most once per Cooldown,
//     so that keys the issuer publishes are picked up without waiting for staleness;
//   - concurrent refreshes are coalesced into one fetch, which runs under the set's own
//     context (a caller that gives up does not cancel it for the others);
//   - while the endpoint fails, the last good set is kept and used, and fetches are retried
//     at most once per Cooldown; Key returns validation.ErrUnavailable only when no set has
//     ever been loaded or a kid is unknown while the last fetch failed.
//
// Fetches refuse redirects, bodies over MaxResponseSize and responses slower than Timeout.
// RemoteKeys is safe for concurrent use; Close stops a fetch in flight.
type RemoteKeys struct {
	o      RemoteOptions
	client *http.Client
	// resolve returns the JWKS URI (fixed, or found by discovery).
	resolve func(ctx context.Context) (string, error)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	snap atomic.Pointer[keySnapshot]

	mu          sync.Mutex
	inflight    *fetchCall
	lastKidScan time.Time // when an unknown kid last caused a fetch
	retryAt     time.Time // after a failed fetch, no new attempt before this
	lastErr     error     // the last fetch's error, nil after a success
	closed      bool
}

type keySnapshot struct {
	keys  *StaticKeys
	stale time.Time
}

type fetchCall struct {
	done chan struct{}
	err  error
}

var _ tokenformat.KeyLookup = (*RemoteKeys)(nil)

// NewRemote returns a key set fetched from jwksURI, an absolute http or https URL. Nothing
// is fetched until the first Key call.
func NewRemote(jwksURI string, opts RemoteOptions) (*RemoteKeys, error) {
	if err := checkURL(jwksURI, true); err != nil {
		return nil, fmt.Errorf("local: NewRemote: jwks_uri: %w", err)
	}
	r := newRemote(opts)
	r.resolve = func(context.Context) (string, error) { return jwksURI, nil }
	return r, nil
}

// Discover returns a key set found through issuer discovery: the jwks_uri of the issuer's
// RFC 8414 metadata (/.well-known/oauth-authorization-server), or, when that is not served,
// of its OpenID Connect discovery document (/.well-known/openid-configuration). The
// metadata's issuer must equal issuer exactly (RFC 8414 §3.3). Nothing is fetched until the
// first Key call; the metadata is fetched until it is found once, then kept.
func Discover(issuer string, opts RemoteOptions) (*RemoteKeys, error) {
	if err := checkURL(issuer, false); err != nil {
		return nil, fmt.Errorf("local: Discover: issuer: %w", err)
	}
	r := newRemote(opts)
	var mu sync.Mutex
	var found string
	r.resolve = func(ctx context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		if found != "" {
			return found, nil
		}
		md, err := FetchMetadata(ctx, r.client, issuer, r.o.MaxResponseSize)
		if err != nil {
			return "", err
		}
		found = md.JWKSURI
		return found, nil
	}
	return r, nil
}

func newRemote(opts RemoteOptions) *RemoteKeys {
	o := opts
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxResponseSize <= 0 {
		o.MaxResponseSize = 1 << 20
	}
	if o.MinRefresh <= 0 {
		o.MinRefresh = time.Minute
	}
	if o.MaxRefresh <= 0 {
		o.MaxRefresh = 24 * time.Hour
	}
	if o.MaxRefresh < o.MinRefresh {
		o.MaxRefresh = o.MinRefresh
	}
	if o.DefaultRefresh <= 0 {
		o.DefaultRefresh = 15 * time.Minute
	}
	if o.Cooldown <= 0 {
		o.Cooldown = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	r := &RemoteKeys{o: o, client: noRedirects(o.HTTPClient)}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

// noRedirects returns a copy of c (or a new client) that never follows a redirect.
func noRedirects(c *http.Client) *http.Client {
	var cc http.Client
	if c != nil {
		cc = *c
	}
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

// Close stops a fetch in flight and waits for it. Key calls after Close use the last set and
// never fetch.
func (r *RemoteKeys) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	return nil
}

// Lookup returns the key with the given kid (tokenformat.KeyLookup; kid "" names a set's
// only key), an error matching ErrUnknownKey for a kid the fetched set lacks, or one matching
// validation.ErrUnavailable when no set could be fetched. It waits for a fetch only when it
// has no set yet or kid is unknown (at most one fetch per Cooldown for unknown kids); a stale
// set is refreshed in the background while it keeps answering.
func (r *RemoteKeys) Lookup(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	k, err := r.key(ctx, kid)
	if err != nil {
		return nil, err
	}
	return k.jwk, nil
}

func (r *RemoteKeys) key(ctx context.Context, kid string) (*Key, error) {
	if s := r.snap.Load(); s != nil && r.o.Now().Before(s.stale) {
		if k := lookup(s.keys.byID, s.keys.only, kid); k != nil {
			return k, nil // the hot path: a fresh set that has the key
		}
	}
	return r.slowKey(ctx, kid)
}

func (r *RemoteKeys) slowKey(ctx context.Context, kid string) (*Key, error) {
	r.mu.Lock()
	now := r.o.Now()
	s := r.snap.Load()
	var k *Key
	if s != nil {
		k = lookup(s.keys.byID, s.keys.only, kid)
	}
	fresh := s != nil && now.Before(s.stale)
	if k != nil {
		// A key we hold answers at once. A stale set is refreshed in the background
		// (stale-while-revalidate), so that requests never wait for a scheduled refresh.
		if !fresh && r.inflight == nil && !r.closed && !now.Before(r.retryAt) {
			r.startFetch()
		}
		r.mu.Unlock()
		return k, nil
	}
	c := r.inflight
	if c == nil {
		var start bool
		if fresh {
			// An unknown kid in a fresh set: the issuer may have published a new key.
			start = kid != "" && (r.lastKidScan.IsZero() || !now.Before(r.lastKidScan.Add(r.o.Cooldown))) &&
				!now.Before(r.retryAt)
			if start {
				r.lastKidScan = now
			}
		} else { // no set yet, or a stale one without the kid: a fetch is due anyway
			start = !now.Before(r.retryAt)
		}
		if !start || r.closed {
			err := r.lastErr
			r.mu.Unlock()
			return r.answer(nil, err)
		}
		c = r.startFetch()
	}
	r.mu.Unlock()

	select {
	case <-c.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("local: jwks: %w: %w", validation.ErrUnavailable, ctx.Err())
	}
	if s := r.snap.Load(); s != nil {
		k = lookup(s.keys.byID, s.keys.only, kid)
	}
	return r.answer(k, c.err)
}

// startFetch starts the one fetch in flight; r.mu must be held.
func (r *RemoteKeys) startFetch() *fetchCall {
	c := &fetchCall{done: make(chan struct{})}
	r.inflight = c
	r.wg.Add(1)
	go r.fetch(c)
	return c
}

// waitFetch waits for the fetch in flight, if any; tests use it through export_test.go.
func (r *RemoteKeys) waitFetch() {
	r.mu.Lock()
	c := r.inflight
	r.mu.Unlock()
	if c != nil {
		<-c.done
	}
}

// answer turns a lookup into Key's result: the key, or unknown, or unavailable when the
// set could not be fetched.
func (r *RemoteKeys) answer(k *Key, fetchErr error) (*Key, error) {
	switch {
	case k != nil:
		return k, nil
	case fetchErr != nil:
		return nil, fmt.Errorf("local: jwks: %w", validation.ErrUnavailable)
	case r.snap.Load() == nil:
		return nil, fmt.Errorf("local: jwks: %w: no key set loaded", validation.ErrUnavailable)
	}
	return nil, ErrUnknownKey
}

// fetch loads the set once and publishes the outcome to everyone waiting on c.
func (r *RemoteKeys) fetch(c *fetchCall) {
	defer r.wg.Done()
	ctx, cancel := context.WithTimeout(r.ctx, r.o.Timeout)
	defer cancel()
	keys, maxAge, err := r.load(ctx)

	r.mu.Lock()
	now := r.o.Now()
	if err != nil {
		r.lastErr = err
		r.retryAt = now.Add(r.o.Cooldown)
		r.o.Logger.Warn("local: cannot fetch the JWKS; keeping the last good key set", "err", err)
	} else {
		r.lastErr = nil
		r.retryAt = time.Time{}
		r.snap.Store(&keySnapshot{keys: keys, stale: now.Add(r.clamp(maxAge))})
	}
	c.err = err
	r.inflight = nil
	r.mu.Unlock()
	close(c.done)
}

func (r *RemoteKeys) clamp(maxAge time.Duration) time.Duration {
	if maxAge < 0 {
		maxAge = r.o.DefaultRefresh
	}
	return min(max(maxAge, r.o.MinRefresh), r.o.MaxRefresh)
}

func (r *RemoteKeys) load(ctx context.Context) (*StaticKeys, time.Duration, error) {
	uri, err := r.resolve(ctx)
	if err != nil {
		return nil, 0, err
	}
	body, h, err := get(ctx, r.client, uri, r.o.MaxResponseSize)
	if err != nil {
		return nil, 0, err
	}
	keys, err := ParseJWKS(body)
	if err != nil {
		return nil, 0, err
	}
	return keys, maxAge(h.Get("Cache-Control")), nil
}

// maxAge returns the max-age of a Cache-Control header value, or -1 when it has none or
// forbids reuse (no-cache, no-store), in which case the default applies (bounded below by
// MinRefresh: a key set is never fetched per request).
func maxAge(cc string) time.Duration {
	age := time.Duration(-1)
	for _, d := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-cache", "no-store":
			return -1
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
			if err != nil || n < 0 {
				return -1
			}
			n = min(n, int64(365*24*time.Hour/time.Second))
			age = time.Duration(n) * time.Second
		}
	}
	return age
}

// errStatus reports a response that was not 200 OK.
type errStatus int

func (e errStatus) Error() string { return "unexpected HTTP status " + strconv.Itoa(int(e)) }

// get fetches uri and returns its JSON body, refusing redirects, other statuses, non-JSON
// content types and bodies over limit.
func get(ctx context.Context, client *http.Client, uri string, limit int64) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, nil, errStatus(resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, nil, fmt.Errorf("content type %q is not JSON", ct)
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(body)) > limit {
		return nil, nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return body, resp.Header, nil
}

// checkURL checks that s is an absolute http or https URL without credentials or fragment,
// and without a query unless allowQuery (an issuer has none, RFC 8414 §2).
func checkURL(s string, allowQuery bool) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return errors.New("not an absolute http or https URL without credentials")
	}
	if (u.RawQuery != "" && !allowQuery) || u.Fragment != "" {
		return errors.New("has a query or fragment")
	}
	return nil
}

package introspection

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/oauthkit/oauthkit/validation"
)

// Client authentication methods (RFC 6749 §2.3.1).
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
)

// Options configures a Validator. The zero value is the default documented on each field.
type Options struct {
	// AuthMethod is how the resource server authenticates to the introspection endpoint:
	// AuthClientSecretBasic (the default) or AuthClientSecretPost.
	AuthMethod string
	// HTTPClient makes the requests. Its CheckRedirect is replaced: redirects are never
	// followed (they would carry the client secret elsewhere). Default: a client of its own
	// with http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each introspection request. Default 5 seconds.
	Timeout time.Duration
	// MaxResponseSize bounds an answer, in bytes. Default 64 KiB.
	MaxResponseSize int64
	// MaxTokenSize is the largest token sent for introspection; larger ones are refused
	// without a request. Default 8 KiB.
	MaxTokenSize int
	// CacheEntries is how many answers are cached. Default 10000; negative disables the
	// cache.
	CacheEntries int
	// MaxTTL bounds how long an active answer is cached (a token revoked at the
	// authorization server is still accepted until its entry goes). Default 1 minute.
	MaxTTL time.Duration
	// InactiveTTL is how long an inactive answer is cached, so that a client retrying a bad
	// token does not cause a request each time. Default 5 seconds; negative disables it.
	InactiveTTL time.Duration
	// Issuer, when set, must equal the answer's iss, and an answer without iss is refused.
	// Default: iss is not checked (RFC 7662 does not require the server to send it); set it
	// when the authorization server sends iss (oauthkit's does).
	Issuer string
	// Audience is this resource server's identifier, which must be one of the answer's aud
	// values; an answer without aud is refused. Required unless AnyAudience is set: New
	// fails closed without it, as local.New does, because a token the authorization server
	// issued for another resource is otherwise accepted here.
	Audience string
	// AnyAudience accepts active tokens whatever their aud says, for a resource server that
	// relies on the authorization server answering active only for tokens meant for it.
	// Dangerous: with an authorization server that answers for every token of its clients,
	// a token meant for any other resource opens this one. Setting it together with
	// Audience is an error.
	AnyAudience bool
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// Logger receives failures to reach the authorization server. Default slog.Default().
	Logger *slog.Logger
}

// Validator is an RFC 7662 introspection client with a cache. It implements
// validation.Validator and is safe for concurrent use; Close releases the cache.
type Validator struct {
	endpoint     string
	clientID     string
	clientSecret string
	o            Options
	client       *http.Client
	cache        *ristretto.Cache[string, *answer]

	mu       sync.Mutex
	inflight map[string]*flight
	closed   bool

	ctx    context.Context // cancelled by Close, to stop lookups in flight
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ validation.Validator = (*Validator)(nil)

// answer is a cached introspection result: claims for an active token, nil for an inactive
// one, good until until.
type answer struct {
	claims *validation.Claims
	err    error
	until  time.Time
}

type flight struct {
	done chan struct{}
	a    *answer
	err  error
}

// New returns a Validator that introspects tokens at endpoint (an absolute http or https
// URL), authenticating as clientID with clientSecret. All three are required, and so is
// opts.Audience unless opts.AnyAudience is set.
func New(endpoint, clientID, clientSecret string, opts Options) (*Validator, error) {
	o := opts
	u, err := url.Parse(endpoint)
	switch {
	case endpoint == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "":
		return nil, errors.New("introspection: New: endpoint is not an absolute http or https URL")
	case clientID == "":
		return nil, errors.New("introspection: New: empty clientID")
	case clientSecret == "":
		return nil, errors.New("introspection: New: empty clientSecret")
	}
	switch {
	case o.Audience == "" && !o.AnyAudience:
		return nil, errors.New("introspection: New: empty Options.Audience (set Options.AnyAudience to accept tokens for any resource)")
	case o.Audience != "" && o.AnyAudience:
		return nil, errors.New("introspection: New: Options.Audience and Options.AnyAudience are both set")
	}
	switch o.AuthMethod {
	case "":
		o.AuthMethod = AuthClientSecretBasic
	case AuthClientSecretBasic, AuthClientSecretPost:
	default:
		return nil, fmt.Errorf("introspection: New: Options.AuthMethod %q is not supported", o.AuthMethod)
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.MaxResponseSize <= 0 {
		o.MaxResponseSize = 64 << 10
	}
	if o.MaxTokenSize <= 0 {
		o.MaxTokenSize = 8 << 10
	}
	if o.CacheEntries == 0 {
		o.CacheEntries = 10000
	}
	if o.MaxTTL <= 0 {
		o.MaxTTL = time.Minute
	}
	if o.InactiveTTL == 0 {
		o.InactiveTTL = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	v := &Validator{
		endpoint: endpoint, clientID: clientID, clientSecret: clientSecret,
		o: o, client: &hc, inflight: make(map[string]*flight),
	}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	if o.CacheEntries > 0 {
		v.cache, err = ristretto.NewCache(&ristretto.Config[string, *answer]{
			NumCounters: int64(o.CacheEntries) * 10,
			MaxCost:     int64(o.CacheEntries),
			BufferItems: 64,
		})
		if err != nil {
			return nil, fmt.Errorf("introspection: New: cache: %w", err)
		}
	}
	return v, nil
}

// Close stops lookups in flight (their callers get validation.ErrUnavailable), waits for
// them, and releases the cache. Validate after Close returns ErrUnavailable.
func (v *Validator) Close() error {
	v.mu.Lock()
	v.closed = true
	v.mu.Unlock()
	v.cancel()
	v.wg.Wait()
	if v.cache != nil {
		v.cache.Close()
	}
	return nil
}

// Validate returns the claims of an active token. It answers from the cache when it can;
// otherwise it asks the authorization server, once for all concurrent callers with the same
// token.
func (v *Validator) Validate(ctx context.Context, token string) (*validation.Claims, error) {
	if token == "" || len(token) > v.o.MaxTokenSize {
		return nil, fmt.Errorf("%w: empty or larger than the size cap", validation.ErrInvalidToken)
	}
	sum := sha256.Sum256([]byte(token))
	key := string(sum[:])
	now := v.o.Now()
	if v.cache != nil {
		if a, ok := v.cache.Get(key); ok && now.Before(a.until) {
			return a.result()
		}
	}

	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil, fmt.Errorf("introspection: %w: validator closed", validation.ErrUnavailable)
	}
	f, ok := v.inflight[key]
	if !ok {
		f = &flight{done: make(chan struct{})}
		v.inflight[key] = f
		v.wg.Add(1)
		v.mu.Unlock()
		// The request runs apart from the leader's context (keeping its values), so that a
		// leader that gives up does not fail the callers waiting on it; the timeout and
		// Close still bound it.
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		stop := context.AfterFunc(v.ctx, cancel)
		go func() {
			defer v.wg.Done()
			defer cancel()
			defer stop()
			v.lookup(lctx, key, token, f)
		}()
	} else {
		v.mu.Unlock()
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("introspection: %w: %w", validation.ErrUnavailable, ctx.Err())
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.a.result()
}

func (a *answer) result() (*validation.Claims, error) {
	if a.err != nil {
		return nil, a.err
	}
	return a.claims, nil
}

// lookup asks the server, caches the answer, and releases everyone waiting on f.
func (v *Validator) lookup(ctx context.Context, key, token string, f *flight) {
	defer func() {
		v.mu.Lock()
		delete(v.inflight, key)
		v.mu.Unlock()
		close(f.done)
	}()
	ctx, cancel := context.WithTimeout(ctx, v.o.Timeout)
	defer cancel()
	body, err := v.post(ctx, token)
	if err != nil {
		v.o.Logger.WarnContext(ctx, "introspection: authorization server unavailable", "err", err)
		f.err = fmt.Errorf("introspection: %w: %w", validation.ErrUnavailable, err)
		return
	}
	claims, err := ParseResponse(body)
	now := v.o.Now()
	a := &answer{claims: claims}
	switch {
	case errors.Is(err, validation.ErrInvalidToken):
		a.err = err
		a.until = now.Add(v.o.InactiveTTL)
	case err != nil:
		v.o.Logger.WarnContext(ctx, "introspection: malformed answer", "err", err)
		f.err = fmt.Errorf("introspection: %w: %w", validation.ErrUnavailable, err)
		return
	default:
		a.err = v.check(claims, now)
		a.until = now.Add(v.o.MaxTTL)
		if !claims.ExpiresAt.IsZero() && claims.ExpiresAt.Before(a.until) {
			a.until = claims.ExpiresAt
		}
		if a.err != nil {
			a.claims = nil
			a.until = now.Add(v.o.InactiveTTL)
		}
	}
	f.a = a
	if v.cache != nil && v.ctx.Err() == nil {
		if ttl := a.until.Sub(now); ttl > 0 {
			v.cache.SetWithTTL(key, a, 1, ttl)
		}
	}
}

// check applies the configured checks to an active answer.
func (v *Validator) check(c *validation.Claims, now time.Time) error {
	switch {
	case !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt):
		return fmt.Errorf("introspection: %w", validation.ErrExpired)
	case !c.NotBefore.IsZero() && now.Before(c.NotBefore):
		return fmt.Errorf("%w: not valid yet (nbf)", validation.ErrInvalidToken)
	case v.o.Issuer != "" && c.Issuer != v.o.Issuer:
		return fmt.Errorf("%w: iss is not the configured issuer", validation.ErrInvalidToken)
	case !v.o.AnyAudience && !c.HasAudience(v.o.Audience):
		return fmt.Errorf("%w: aud does not name this resource", validation.ErrInvalidToken)
	}
	return nil
}

// post sends the introspection request and returns the body of a 200 answer.
func (v *Validator) post(ctx context.Context, token string) ([]byte, error) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	if v.o.AuthMethod == AuthClientSecretPost {
		form.Set("client_id", v.clientID)
		form.Set("client_secret", v.clientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if v.o.AuthMethod == AuthClientSecretBasic {
		// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
		cred := url.QueryEscape(v.clientID) + ":" + url.QueryEscape(v.clientSecret)
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	}
	resp, err := v.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL error repeats the endpoint; keep the cause only
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, fmt.Errorf("unexpected HTTP status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, v.o.MaxResponseSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > v.o.MaxResponseSize {
		return nil, fmt.Errorf("answer larger than %d bytes", v.o.MaxResponseSize)
	}
	return body, nil
}

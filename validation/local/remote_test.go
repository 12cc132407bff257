package local_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/local"
)

// jwksServer is a real HTTP JWKS endpoint whose key set tests change while it runs, and which
// counts the fetches it serves.
type jwksServer struct {
	*httptest.Server
	mu           sync.Mutex
	body         []byte
	status       int
	cacheControl string
	delay        time.Duration
	fetches      atomic.Int64
}

func newJWKSServer(t testing.TB, body []byte) *jwksServer {
	t.Helper()
	s := &jwksServer{body: body, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		body, status, cc, delay := s.body, s.status, s.cacheControl, s.delay
		s.mu.Unlock()
		if delay > 0 {
			// A slow server, so that concurrent callers overlap with the request; it gives up
			// when the client does.
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
			}
		}
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(body []byte, status int) {
	s.mu.Lock()
	s.body, s.status = body, status
	s.mu.Unlock()
}

func newRemote(t testing.TB, uri string, c *clock, opts local.RemoteOptions) *local.RemoteKeys {
	t.Helper()
	o := opts
	o.Now = c.Func()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r, err := local.NewRemote(uri, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func TestThousandConcurrentTokensWithANewKidCauseOneFetch(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwks(t, ecSigner))
	c := newClock()
	keys := newRemote(t, srv.URL, c, local.RemoteOptions{})
	v, err := local.New(issuer, audience, allowed, keys, local.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Validate(ctx, mint(t, ecSigner, goodHeader(ecSigner), goodClaims())); err != nil {
		t.Fatal(err)
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Fatalf("initial fetches = %d, want 1", n)
	}

	// The issuer publishes a new key; 1000 requests carrying it arrive at once.
	srv.set(jwks(t, ecSigner, edSigner), http.StatusOK)
	srv.mu.Lock()
	srv.delay = 50 * time.Millisecond
	srv.mu.Unlock()
	tok := mint(t, edSigner, goodHeader(edSigner), goodClaims())
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := make(chan struct{})
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, err := v.Validate(ctx, tok); err != nil {
				failed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if n := srv.fetches.Load() - 1; n != 1 {
		t.Errorf("fetches for the new kid = %d, want exactly 1", n)
	}
	if n := failed.Load(); n != 0 {
		t.Errorf("%d validations failed", n)
	}
}

func TestUnknownKidRefreshesAtMostOncePerCooldown(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwks(t, ecSigner))
	c := newClock()
	keys := newRemote(t, srv.URL, c, local.RemoteOptions{Cooldown: time.Minute})
	ctx := context.Background()
	if _, err := keys.Lookup(ctx, ecSigner.kid); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		_, err := keys.Lookup(ctx, fmt.Sprintf("attacker-%d", i))
		if !errors.Is(err, local.ErrUnknownKey) {
			t.Fatalf("Key(unknown) = %v, want ErrUnknownKey", err)
		}
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2 (initial + one unknown-kid refresh)", n)
	}
	c.Add(time.Minute)
	_, _ = keys.Lookup(ctx, "attacker-again")
	if n := srv.fetches.Load(); n != 3 {
		t.Errorf("fetches after the cooldown = %d, want 3", n)
	}
}

func TestRotationMidRunFailsNoValidToken(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwks(t, ecSigner))
	c := newClock()
	keys := newRemote(t, srv.URL, c, local.RemoteOptions{})
	v, err := local.New(issuer, audience, allowed, keys, local.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	oldTok := mint(t, ecSigner, goodHeader(ecSigner), goodClaims())
	newSigner := &signer{kid: "ec-2", alg: "ES256", priv: ecKey2}
	newTok := mint(t, newSigner, goodHeader(newSigner), goodClaims())

	var rotated atomic.Bool
	var validated, failed atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				tok := oldTok
				if rotated.Load() {
					// Once the new key is published the issuer signs with it; tokens of the
					// old (now retired, still published) key stay valid too.
					if validated.Load()%2 == 0 {
						tok = newTok
					}
				}
				if _, err := v.Validate(context.Background(), tok); err != nil {
					failed.Add(1)
					t.Errorf("valid token refused: %v", err)
					return
				}
				validated.Add(1)
			}
		}()
	}
	waitFor(t, func() bool { return validated.Load() > 200 })
	srv.set(jwks(t, ecSigner, newSigner), http.StatusOK) // publish, then sign with it
	rotated.Store(true)
	before := validated.Load()
	waitFor(t, func() bool { return validated.Load() > before+400 })
	cancel()
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d valid tokens refused", failed.Load())
	}
	if n := srv.fetches.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2 (initial, unknown kid)", n)
	}
}

// waitFor polls cond (progress of other goroutines, not the passing of time) for up to 30s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 30s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCacheControlMaxAgeIsHonouredWithinBounds(t *testing.T) {
	testKeys(t)
	cases := []struct {
		cc      string
		staleAt time.Duration // the set must be refetched at this age, not before
	}{
		{"max-age=300", 300 * time.Second},
		{"public, max-age=5", time.Minute},  // below MinRefresh
		{"max-age=999999", 2 * time.Hour},   // above MaxRefresh
		{"no-store", 10 * time.Minute},      // DefaultRefresh
		{"", 10 * time.Minute},              // DefaultRefresh
		{"max-age=bogus", 10 * time.Minute}, // DefaultRefresh
	}
	for _, tc := range cases {
		t.Run(tc.cc, func(t *testing.T) {
			srv := newJWKSServer(t, jwks(t, ecSigner))
			srv.cacheControl = tc.cc
			c := newClock()
			keys := newRemote(t, srv.URL, c, local.RemoteOptions{MinRefresh: time.Minute, MaxRefresh: 2 * time.Hour, DefaultRefresh: 10 * time.Minute})
			ctx := context.Background()
			if _, err := keys.Lookup(ctx, ecSigner.kid); err != nil {
				t.Fatal(err)
			}
			c.Add(tc.staleAt - time.Second)
			_, _ = keys.Lookup(ctx, ecSigner.kid)
			if n := srv.fetches.Load(); n != 1 {
				t.Fatalf("fetches before %v = %d, want 1", tc.staleAt, n)
			}
			c.Add(time.Second)
			if _, err := keys.Lookup(ctx, ecSigner.kid); err != nil {
				t.Fatalf("the stale set stopped answering: %v", err)
			}
			local.WaitFetch(keys) // a stale set refreshes in the background
			if n := srv.fetches.Load(); n != 2 {
				t.Fatalf("fetches at %v = %d, want 2", tc.staleAt, n)
			}
		})
	}
}

func TestLastGoodSetIsKeptWhileTheEndpointIsDown(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwks(t, ecSigner))
	c := newClock()
	keys := newRemote(t, srv.URL, c, local.RemoteOptions{DefaultRefresh: time.Minute, MinRefresh: time.Minute, Cooldown: 30 * time.Second})
	v, err := local.New(issuer, audience, allowed, keys, local.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tok := mint(t, ecSigner, goodHeader(ecSigner), with(goodClaims(), "exp", epoch.Add(time.Hour).Unix()))
	if _, err := v.Validate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	for _, down := range []struct {
		name   string
		status int
		body   []byte
	}{
		{"500", http.StatusInternalServerError, []byte("oops")},
		{"invalid JSON", http.StatusOK, []byte("{")},
		{"empty set", http.StatusOK, []byte(`{"keys":[]}`)},
	} {
		srv.set(down.body, down.status)
		c.Add(2 * time.Minute) // the set is stale: a fetch is attempted, and fails
		before := srv.fetches.Load()
		for i := range 20 {
			if _, err := v.Validate(ctx, tok); err != nil {
				t.Fatalf("%s: valid token refused while the endpoint is down: %v", down.name, err)
			}
			if i == 9 {
				local.WaitFetch(keys) // the background refresh has failed by now
			}
		}
		if n := srv.fetches.Load() - before; n != 1 {
			t.Errorf("%s: fetches while down = %d, want 1 (then a cooldown)", down.name, n)
		}
		// A new kid cannot be checked while the endpoint is down: unavailable, not invalid.
		other := mint(t, edSigner, goodHeader(edSigner), goodClaims())
		if _, err := v.Validate(ctx, other); !errors.Is(err, validation.ErrUnavailable) {
			t.Errorf("%s: unknown kid while down = %v, want ErrUnavailable", down.name, err)
		}
	}
}

func TestNoKeySetEverLoadedIsUnavailable(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, []byte("down"))
	srv.set([]byte("down"), http.StatusBadGateway)
	c := newClock()
	keys := newRemote(t, srv.URL, c, local.RemoteOptions{})
	v, err := local.New(issuer, audience, allowed, keys, local.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	tok := mint(t, ecSigner, goodHeader(ecSigner), goodClaims())
	_, err = v.Validate(context.Background(), tok)
	if !errors.Is(err, validation.ErrUnavailable) || errors.Is(err, validation.ErrInvalidToken) {
		t.Fatalf("Validate = %v, want ErrUnavailable only", err)
	}
	if rec := serve(v, tok); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("middleware status = %d, want 503", rec.Code)
	}
}

func TestRemoteFetchRefusesRedirectsOversizedBodiesAndSlowServers(t *testing.T) {
	testKeys(t)
	good := newJWKSServer(t, jwks(t, ecSigner))
	redirect := httptest.NewServer(http.RedirectHandler(good.URL, http.StatusFound))
	t.Cleanup(redirect.Close)
	big := newJWKSServer(t, []byte(`{"keys":[]`+strings.Repeat(" ", 2<<10)+`}`))
	slow := newJWKSServer(t, jwks(t, ecSigner))
	slow.delay = 500 * time.Millisecond
	wrongType := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(jwks(t, ecSigner))
	}))
	t.Cleanup(wrongType.Close)

	for name, uri := range map[string]string{
		"redirect": redirect.URL, "oversized": big.URL, "slow": slow.URL, "not JSON": wrongType.URL,
	} {
		t.Run(name, func(t *testing.T) {
			keys := newRemote(t, uri, newClock(), local.RemoteOptions{MaxResponseSize: 1 << 10, Timeout: 100 * time.Millisecond})
			_, err := keys.Lookup(context.Background(), ecSigner.kid)
			if !errors.Is(err, validation.ErrUnavailable) {
				t.Fatalf("Key = %v, want ErrUnavailable", err)
			}
		})
	}
	if n := good.fetches.Load(); n != 0 {
		t.Errorf("the redirect was followed (%d fetches)", n)
	}
}

func TestCloseStopsAFetchInFlight(t *testing.T) {
	testKeys(t)
	srv := newJWKSServer(t, jwks(t, ecSigner))
	srv.delay = 30 * time.Second
	keys, err := local.NewRemote(srv.URL, local.RemoteOptions{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := keys.Lookup(context.Background(), ecSigner.kid); done <- err }()
	for srv.fetches.Load() == 0 {
		time.Sleep(time.Millisecond) // wait for the fetch to reach the server
	}
	start := time.Now()
	if err := keys.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, validation.ErrUnavailable) {
		t.Errorf("Key during Close = %v, want ErrUnavailable", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Close took %v: the fetch was not stopped", d)
	}
}

func TestStaleSetAnswersWhileItRefreshesInTheBackground(t *testing.T) {
	testKeys(t)
	release := make(chan struct{})
	var fetches atomic.Int64
	body := jwks(t, ecSigner)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetches.Add(1) > 1 {
			<-release // the refresh hangs until the test lets it go
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	defer close(release)
	c := newClock()
	keys := newRemote(t, srv.URL, c, local.RemoteOptions{DefaultRefresh: time.Minute, MinRefresh: time.Minute})
	ctx := context.Background()
	if _, err := keys.Lookup(ctx, ecSigner.kid); err != nil {
		t.Fatal(err)
	}
	c.Add(2 * time.Minute) // stale
	done := make(chan error, 100)
	go func() {
		for range 100 {
			_, err := keys.Lookup(ctx, ecSigner.kid)
			done <- err
		}
	}()
	for range 100 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Key waited for the background refresh")
		}
	}
	waitFor(t, func() bool { return fetches.Load() == 2 })
}

package jwksfetch_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
)

// remote is a TLS JWKS endpoint on loopback that counts connections and requests.
type remote struct {
	*httptest.Server
	conns, hits atomic.Int64
}

func newRemote(t *testing.T, h http.HandlerFunc) *remote {
	t.Helper()
	r := &remote{}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		h(w, req)
	}))
	r.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.conns.Add(1)
		}
	}
	r.StartTLS()
	t.Cleanup(r.Close)
	return r
}

// pool trusts the remote's certificate.
func (r *remote) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(r.Certificate())
	return p
}

// allowLoopback is the test hook: the default policy plus 127.0.0.1, where httptest listens.
func allowLoopback(a netip.Addr) bool {
	return a == netip.AddrFrom4([4]byte{127, 0, 0, 1}) || jwksfetch.DefaultAllowAddress(a)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFetcher(t *testing.T, r *remote, mod func(*jwksfetch.Options)) *jwksfetch.Fetcher {
	t.Helper()
	// A timeout generous for a loaded CI machine; tests of the timeout set their own.
	opts := jwksfetch.Options{AllowAddress: allowLoopback, Timeout: 10 * time.Second}
	if r != nil {
		opts.RootCAs = r.pool()
	}
	if mod != nil {
		mod(&opts)
	}
	f, err := jwksfetch.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// jwks returns a JWK Set holding a fresh ES256 key with kid: its public form, and the same
// key with its private member d, as a careless client might publish it.
func jwks(t testing.TB, kid string) (public, withPrivate []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv := jose.JSONWebKey{Key: k, KeyID: kid, Algorithm: "ES256", Use: "sig"}
	pub := priv.Public()
	public, _ = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	withPrivate, _ = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{priv}})
	return public, withPrivate
}

func serve(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}

func TestGetFetchesTheKeySetOverTLSAndDropsPrivateMembers(t *testing.T) {
	_, withPrivate := jwks(t, "k1")
	r := newRemote(t, serve(withPrivate))
	f := newFetcher(t, r, nil)
	set, err := f.Get(context.Background(), r.URL+"/jwks", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0].KeyID != "k1" || !set.Keys[0].IsPublic() {
		t.Fatalf("set = %+v", set)
	}
	out, _ := json.Marshal(set)
	if strings.Contains(string(out), `"d"`) {
		t.Fatalf("private member kept: %s", out)
	}
}

func TestGetRefusesForbiddenAddressesWithoutConnecting(t *testing.T) {
	r := newRemote(t, serve([]byte(`{"keys":[]}`)))
	port := r.Listener.Addr().(*net.TCPAddr).Port
	// A resolver answering what a hostile DNS zone would: names that pass the static check
	// and resolve (or rebind) to internal addresses at dial time.
	resolver := resolverFunc(func(_ context.Context, _, host string) ([]netip.Addr, error) {
		switch host {
		case "loopback.example.com":
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		case "internal.example.com":
			return []netip.Addr{netip.MustParseAddr("10.0.0.1")}, nil
		case "metadata.example.com":
			return []netip.Addr{netip.MustParseAddr("169.254.169.254")}, nil
		case "mapped.example.com":
			return []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}, nil
		case "mixed.example.com":
			return []netip.Addr{netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("127.0.0.1")}, nil
		}
		return nil, errors.New("no such host")
	})
	for _, host := range []string{
		"127.0.0.1", "127.0.0.2", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"100.100.100.200", "0.0.0.0", "[::1]", "[fd00::1]", "[fd00:ec2::254]", "[fe80::1]",
		"[::ffff:127.0.0.1]", "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]", "[::]",
		"localhost", "LOCALHOST.", "api.localhost",
		"loopback.example.com", "internal.example.com", "metadata.example.com",
		"mapped.example.com", "mixed.example.com",
	} {
		t.Run(host, func(t *testing.T) {
			f, err := jwksfetch.New(jwksfetch.Options{Resolver: resolver, RootCAs: r.pool()})
			if err != nil {
				t.Fatal(err)
			}
			uri := fmt.Sprintf("https://%s:%d/jwks", host, port)
			before := r.conns.Load()
			start := time.Now()
			_, err = f.Get(context.Background(), uri, false)
			if !errors.Is(err, jwksfetch.ErrForbiddenAddress) {
				t.Fatalf("Get(%s) = %v, want ErrForbiddenAddress", uri, err)
			}
			if n := r.conns.Load() - before; n != 0 {
				t.Fatalf("%d connections made to the target", n)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("refusal took %v", d)
			}
		})
	}
}

type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}

func TestNameResolvingToLoopbackPassesTheStaticCheckButNotTheDial(t *testing.T) {
	// The check that matters is on the resolved address, not the name: the same URI
	// validates at registration and is refused when fetched.
	uri := "https://rebind.example.com/jwks"
	if err := jwksfetch.ValidateURI(uri); err != nil {
		t.Fatalf("ValidateURI(%s) = %v", uri, err)
	}
	var lookups atomic.Int64
	f, err := jwksfetch.New(jwksfetch.Options{Resolver: resolverFunc(func(context.Context, string, string) ([]netip.Addr, error) {
		lookups.Add(1)
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(context.Background(), uri, false); !errors.Is(err, jwksfetch.ErrForbiddenAddress) {
		t.Fatalf("Get = %v, want ErrForbiddenAddress", err)
	}
	if lookups.Load() != 1 {
		t.Fatalf("%d lookups, want 1 (no retries)", lookups.Load())
	}
}

func TestGetRefusesAnAnswerLargerThanMaxBytesWithBoundedMemory(t *testing.T) {
	const total = 200 << 20
	chunk := make([]byte, 32<<10)
	for i := range chunk {
		chunk[i] = ' '
	}
	for name, declare := range map[string]bool{"streamed": false, "declared length": true} {
		t.Run(name, func(t *testing.T) {
			r := newRemote(t, func(w http.ResponseWriter, _ *http.Request) {
				if declare {
					w.Header().Set("Content-Length", fmt.Sprint(total))
				}
				_, _ = w.Write([]byte(`{"keys":[`))
				for sent := 0; sent < total; sent += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			})
			f := newFetcher(t, r, nil)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := f.Get(context.Background(), r.URL+"/jwks", false)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, jwksfetch.ErrTooLarge) {
				t.Fatalf("Get = %v, want ErrTooLarge", err)
			}
			if elapsed > 3*time.Second {
				t.Fatalf("refusing a 200 MB answer took %v", elapsed)
			}
			// The whole process, server side included, allocated a few MB at most, not 200.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Fatalf("allocated %d MB for a 64 KiB cap", alloc>>20)
			}
			t.Logf("refused in %v, %d KiB allocated", elapsed, (after.TotalAlloc-before.TotalAlloc)>>10)
		})
	}
}

func TestGetGivesUpOnASlowEndpointAtTheTimeout(t *testing.T) {
	public, _ := jwks(t, "k1")
	cases := []struct {
		name    string
		timeout time.Duration // 0: the default, 2 s
		h       http.HandlerFunc
	}{
		{"no answer (default timeout)", 0, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(25 * time.Second):
			}
		}},
		{"body dripped", 300 * time.Millisecond, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			for _, b := range public {
				if _, err := w.Write([]byte{b}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRemote(t, c.h)
			f := newFetcher(t, r, func(o *jwksfetch.Options) { o.Timeout = c.timeout })
			limit := c.timeout
			if limit == 0 {
				limit = jwksfetch.DefaultTimeout
			}
			start := time.Now()
			_, err := f.Get(context.Background(), r.URL+"/jwks", false)
			elapsed := time.Since(start)
			// A cut-off body is ErrFetch; if the server side sees the cut first and ends
			// its chunked answer, what arrived is a truncated set: ErrInvalidSet. Either
			// way the set is refused, in bounded time.
			if !errors.Is(err, jwksfetch.ErrFetch) && !errors.Is(err, jwksfetch.ErrInvalidSet) {
				t.Fatalf("Get = %v, want ErrFetch", err)
			}
			if elapsed > limit+time.Second {
				t.Fatalf("held %v with a %v timeout", elapsed, limit)
			}
			if r.hits.Load() != 1 {
				t.Fatalf("%d requests, want 1 (no retries)", r.hits.Load())
			}
		})
	}
}

func TestGetDoesNotFollowRedirects(t *testing.T) {
	public, _ := jwks(t, "k1")
	target := newRemote(t, serve(public))
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			r := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
				http.Redirect(w, req, target.URL+"/jwks", code)
			})
			f := newFetcher(t, r, nil)
			if _, err := f.Get(context.Background(), r.URL+"/jwks", false); !errors.Is(err, jwksfetch.ErrFetch) {
				t.Fatalf("Get = %v, want ErrFetch", err)
			}
			if target.conns.Load() != 0 {
				t.Fatal("redirect followed")
			}
		})
	}
}

func TestErrorsDoNotEchoTheRemoteAnswer(t *testing.T) {
	const banner = "SSH-2.0-OpenSSH_9.6 redis_version:7.2.4 -ERR"
	cases := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"not found", 404, banner, jwksfetch.ErrFetch},
		{"teapot", 418, banner, jwksfetch.ErrFetch},
		{"server error", 503, banner, jwksfetch.ErrFetch},
		{"no content", 204, "", jwksfetch.ErrFetch},
		{"not JSON", 200, banner, jwksfetch.ErrInvalidSet},
		{"JSON, no keys", 200, `{"error":"` + banner + `"}`, jwksfetch.ErrInvalidSet},
		{"only a symmetric key", 200, `{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0","kid":"` + banner + `"}]}`, jwksfetch.ErrInvalidSet},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRemote(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Banner", banner)
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			})
			f := newFetcher(t, r, nil)
			_, err := f.Get(context.Background(), r.URL+"/jwks", false)
			if !errors.Is(err, c.want) {
				t.Fatalf("Get = %v, want %v", err, c.want)
			}
			msg := err.Error()
			if strings.Contains(msg, fmt.Sprint(c.status)) || strings.Contains(msg, "OpenSSH") || strings.Contains(msg, "redis") {
				t.Fatalf("error echoes the remote answer: %q", msg)
			}
		})
	}
}

func TestConcurrentGetsOfOneURIShareOneFetch(t *testing.T) {
	public, _ := jwks(t, "k1")
	release := make(chan struct{})
	r := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
		<-release
		serve(public)(w, req)
	})
	c := &clock{t: time.Unix(1e9, 0)}
	f := newFetcher(t, r, func(o *jwksfetch.Options) { o.Now = c.Now })
	const n = 64
	var wg sync.WaitGroup
	sets := make([]*jose.JSONWebKeySet, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sets[i], errs[i] = f.Get(context.Background(), r.URL+"/jwks", i%2 == 0)
		}()
	}
	time.Sleep(100 * time.Millisecond) // let the goroutines pile up on the one fetch
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || sets[i] != sets[0] {
			t.Fatalf("caller %d: %v, set %p (first %p)", i, errs[i], sets[i], sets[0])
		}
	}
	if got := r.hits.Load(); got != 1 {
		t.Fatalf("%d fetches for %d concurrent lookups, want 1", got, n)
	}
	// Past the cooldown, a burst of refreshes (unknown kids) is again one fetch.
	c.Add(jwksfetch.DefaultCooldown)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = f.Get(context.Background(), r.URL+"/jwks", true)
		}()
	}
	wg.Wait()
	if got := r.hits.Load(); got != 2 {
		t.Fatalf("%d fetches after a burst of refreshes, want 2", got)
	}
}

func TestRefreshForAnUnknownKidIsBoundedByTheCooldownPerURI(t *testing.T) {
	public, _ := jwks(t, "k1")
	r := newRemote(t, serve(public))
	c := &clock{t: time.Unix(1e9, 0)}
	f := newFetcher(t, r, func(o *jwksfetch.Options) { o.Now = c.Now })
	ctx := context.Background()
	get := func(path string, refresh bool, wantHits int64) {
		t.Helper()
		if _, err := f.Get(ctx, r.URL+path, refresh); err != nil {
			t.Fatal(err)
		}
		if got := r.hits.Load(); got != wantHits {
			t.Fatalf("Get(%s, refresh %v): %d fetches, want %d", path, refresh, got, wantHits)
		}
	}
	get("/a", false, 1)
	for range 10 {
		get("/a", true, 1) // within the cooldown: the cached set
	}
	get("/b", true, 2) // another URI has its own cooldown
	c.Add(jwksfetch.DefaultCooldown)
	get("/a", false, 2+0) // cached until the TTL without refresh
	get("/a", true, 3)    // past the cooldown a refresh fetches
	get("/a", true, 3)
	c.Add(jwksfetch.DefaultTTL)
	get("/a", false, 4) // past the TTL
}

func TestFailedFetchIsRememberedForTheCooldown(t *testing.T) {
	r := newRemote(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	c := &clock{t: time.Unix(1e9, 0)}
	f := newFetcher(t, r, func(o *jwksfetch.Options) { o.Now = c.Now })
	for range 20 {
		if _, err := f.Get(context.Background(), r.URL+"/jwks", true); !errors.Is(err, jwksfetch.ErrFetch) {
			t.Fatalf("Get = %v", err)
		}
	}
	if r.hits.Load() != 1 {
		t.Fatalf("%d fetches of a failing URI within the cooldown, want 1", r.hits.Load())
	}
	c.Add(jwksfetch.DefaultCooldown)
	_, _ = f.Get(context.Background(), r.URL+"/jwks", false)
	if r.hits.Load() != 2 {
		t.Fatalf("%d fetches after the cooldown, want 2", r.hits.Load())
	}
}

func TestHTTPOnlyOnLoopbackAndOnlyWhenAllowed(t *testing.T) {
	public, _ := jwks(t, "k1")
	plain := httptest.NewServer(serve(public))
	defer plain.Close()
	f := newFetcher(t, nil, nil)
	if _, err := f.Get(context.Background(), plain.URL+"/jwks", false); !errors.Is(err, jwksfetch.ErrInvalidURI) {
		t.Fatalf("http without AllowLoopbackHTTP: %v", err)
	}
	dev, err := jwksfetch.New(jwksfetch.Options{AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Get(context.Background(), plain.URL+"/jwks", false); err != nil {
		t.Fatalf("loopback http with AllowLoopbackHTTP: %v", err)
	}
	for _, uri := range []string{"http://example.com/jwks", "http://10.0.0.1/jwks"} {
		if err := dev.ValidateURI(uri); err == nil {
			t.Fatalf("AllowLoopbackHTTP allowed %s", uri)
		}
	}
	if err := dev.ValidateURI("https://10.0.0.1/jwks"); !errors.Is(err, jwksfetch.ErrForbiddenAddress) {
		t.Fatalf("AllowLoopbackHTTP allowed a private address: %v", err)
	}
}

func TestValidateURI(t *testing.T) {
	cases := []struct {
		uri  string
		want error
	}{
		{"https://client.example.com/jwks.json", nil},
		{"https://client.example.com:8443/keys?v=2", nil},
		{"https://93.184.215.14/jwks", nil},
		{"https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/jwks", nil},
		{"http://client.example.com/jwks", jwksfetch.ErrInvalidURI},
		{"http://127.0.0.1:6379/", jwksfetch.ErrInvalidURI},
		{"ftp://client.example.com/jwks", jwksfetch.ErrInvalidURI},
		{"file:///etc/passwd", jwksfetch.ErrInvalidURI},
		{"gopher://127.0.0.1:6379/_INFO", jwksfetch.ErrInvalidURI},
		{"https:client.example.com", jwksfetch.ErrInvalidURI},
		{"/jwks", jwksfetch.ErrInvalidURI},
		{"", jwksfetch.ErrInvalidURI},
		{"https://user:pw@client.example.com/jwks", jwksfetch.ErrInvalidURI},
		{"https://client.example.com@10.0.0.1/jwks", jwksfetch.ErrInvalidURI},
		{"https://client.example.com/jwks#frag", jwksfetch.ErrInvalidURI},
		{"https://client.example.com/jw ks", jwksfetch.ErrInvalidURI},
		{"https://client.example.com:0/jwks", jwksfetch.ErrInvalidURI},
		{"https://client.example.com:99999/jwks", jwksfetch.ErrInvalidURI},
		{"https://[fe80::1%25eth0]/jwks", jwksfetch.ErrInvalidURI},
		{"https://10.0.0.1/jwks", jwksfetch.ErrForbiddenAddress},
		{"https://169.254.169.254/latest/meta-data/", jwksfetch.ErrForbiddenAddress},
		{"https://127.0.0.1/jwks", jwksfetch.ErrForbiddenAddress},
		{"https://[::1]/jwks", jwksfetch.ErrForbiddenAddress},
		{"https://[::ffff:10.0.0.1]/jwks", jwksfetch.ErrForbiddenAddress},
		{"https://0.0.0.0/jwks", jwksfetch.ErrForbiddenAddress},
		{"https://localhost/jwks", jwksfetch.ErrForbiddenAddress},
		{"https://Localhost./jwks", jwksfetch.ErrForbiddenAddress},
		{"https://" + strings.Repeat("a", 3000) + ".example/jwks", jwksfetch.ErrInvalidURI},
	}
	for _, c := range cases {
		if err := jwksfetch.ValidateURI(c.uri); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("ValidateURI(%q) = %v, want %v", c.uri, err, c.want)
		}
	}
}

func TestDefaultAllowAddress(t *testing.T) {
	cases := map[string]bool{
		"93.184.215.14": true, "8.8.8.8": true, "2606:4700::1111": true,
		"127.0.0.1": false, "127.255.255.254": false, "10.0.0.1": false, "172.16.0.1": false,
		"172.31.255.255": false, "192.168.0.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "100.100.100.200": false, "0.0.0.0": false, "0.1.2.3": false,
		"255.255.255.255": false, "224.0.0.1": false, "240.0.0.1": false, "192.0.2.1": false,
		"198.18.0.1": false, "::": false, "::1": false, "fd00::1": false, "fd00:ec2::254": false,
		"fe80::1": false, "ff02::1": false, "::ffff:127.0.0.1": false, "::ffff:8.8.8.8": true,
		"64:ff9b::7f00:1": false, "64:ff9b::808:808": true, "2002:7f00:1::": false,
		"2002:808:808::": true, "::127.0.0.1": false, "2001:db8::1": false,
	}
	for s, want := range cases {
		if got := jwksfetch.DefaultAllowAddress(netip.MustParseAddr(s)); got != want {
			t.Errorf("DefaultAllowAddress(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for name, o := range map[string]jwksfetch.Options{
		"Timeout":  {Timeout: -1},
		"MaxBytes": {MaxBytes: -1},
		"Cooldown": {Cooldown: time.Hour, TTL: time.Minute},
	} {
		if _, err := jwksfetch.New(o); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("New with bad %s: %v", name, err)
		}
	}
	f, err := jwksfetch.New(jwksfetch.Options{TTL: 10 * time.Second})
	if err != nil || f.Options().Cooldown != 10*time.Second {
		t.Fatalf("a TTL under the default cooldown: %v, cooldown %v", err, f.Options().Cooldown)
	}
}

func TestCacheHoldsAtMostMaxEntries(t *testing.T) {
	public, _ := jwks(t, "k1")
	r := newRemote(t, serve(public))
	f := newFetcher(t, r, func(o *jwksfetch.Options) { o.MaxEntries = 1 })
	for i, path := range []string{"/a", "/b", "/a"} {
		if _, err := f.Get(context.Background(), r.URL+path, false); err != nil {
			t.Fatal(err)
		}
		if got := r.hits.Load(); got != int64(i+1) {
			t.Fatalf("after %s: %d fetches, want %d (one entry kept)", path, got, i+1)
		}
	}
}

func TestGetReturnsWhenItsContextEndsWhileOthersWait(t *testing.T) {
	public, _ := jwks(t, "k1")
	release := make(chan struct{})
	r := newRemote(t, func(w http.ResponseWriter, req *http.Request) {
		<-release
		serve(public)(w, req)
	})
	f := newFetcher(t, r, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.Get(ctx, r.URL+"/jwks", false); !errors.Is(err, jwksfetch.ErrFetch) {
		t.Fatalf("Get with an ended context = %v, want ErrFetch", err)
	}
	// The fetch it started goes on and is cached for the next caller.
	close(release)
	if _, err := f.Get(context.Background(), r.URL+"/jwks", false); err != nil {
		t.Fatal(err)
	}
	if got := r.hits.Load(); got != 1 {
		t.Fatalf("%d fetches, want 1", got)
	}
}

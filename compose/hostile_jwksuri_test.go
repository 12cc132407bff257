package compose_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

func init() { hostileSuites["jwks_uri"] = hostileJWKSURI }

// The banner a probed internal service answers with; no part of it may reach the client.
const internalBanner = "redis_version:7.2.4 SSH-2.0-OpenSSH_9.6"

// hostileJWKSURI replays issue 9 item 3: server-side request forgery and memory exhaustion
// through a client's jwks_uri, at registration and at client authentication.
func hostileJWKSURI() []hostileCase {
	openRegistration := func(c *compose.Config) {
		c.Registration = &registration.Options{Open: true, Scopes: []string{"read"}}
	}
	register := func(uri string) func(t *testing.T, s *testServer) *http.Response {
		return func(t *testing.T, s *testServer) *http.Response {
			body := `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"` + uri + `"}`
			resp, err := s.Client.Post(s.URL+compose.PathRegister, "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
	}
	devMode := func(c *compose.Config) { c.ClientJWKS.AllowLoopbackHTTP = true }
	cases := []hostileCase{
		{name: "register jwks_uri on a private address", config: openRegistration,
			attack: register("https://10.0.0.1/jwks"), status: http.StatusBadRequest, oauthErr: "invalid_client_metadata"},
		{name: "register jwks_uri on the cloud metadata service", config: openRegistration,
			attack: register("https://169.254.169.254/latest"), status: http.StatusBadRequest, oauthErr: "invalid_client_metadata"},
		{name: "register jwks_uri on loopback redis over http", config: openRegistration,
			attack: register("http://127.0.0.1:6379/"), status: http.StatusBadRequest, oauthErr: "invalid_client_metadata"},
		{name: "register jwks_uri on loopback in dev mode but on a private address", config: func(c *compose.Config) { openRegistration(c); devMode(c) },
			attack: register("https://10.0.0.1/jwks"), status: http.StatusBadRequest, oauthErr: "invalid_client_metadata"},
	}

	// A client stored directly (not through registration) whose jwks_uri points at a
	// loopback service: the server refuses before connecting, however many requests come.
	for _, scheme := range []string{"https", "http"} {
		cases = append(cases, hostileCase{
			name: "private_key_jwt with jwks_uri on a loopback service over " + scheme,
			attack: func(t *testing.T, s *testServer) *http.Response {
				svc := newCountingListener(t)
				uri := fmt.Sprintf("%s://127.0.0.1:%d/", scheme, svc.port())
				var resp *http.Response
				for i := range 3 {
					resp = authenticateWithJWKSURI(t, s, "svc", uri, fmt.Sprint(i))
					if i < 2 {
						resp = checkNothingEchoed(t, resp)
						resp.Body.Close()
					}
				}
				if n := svc.accepts.Load(); n != 0 {
					t.Fatalf("the loopback service was contacted %d times", n)
				}
				return checkNothingEchoed(t, resp)
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		})
	}
	cases = append(cases,
		hostileCase{
			// DNS rebinding: a name that passes every static check resolves to loopback.
			name: "private_key_jwt with jwks_uri whose name resolves to loopback",
			config: func(c *compose.Config) {
				c.ClientJWKS.Resolver = staticResolver{"keys.client.example": netip.MustParseAddr("127.0.0.1")}
			},
			attack: func(t *testing.T, s *testServer) *http.Response {
				svc := newCountingListener(t)
				resp := authenticateWithJWKSURI(t, s, "rebind", fmt.Sprintf("https://keys.client.example:%d/jwks", svc.port()), "1")
				if n := svc.accepts.Load(); n != 0 {
					t.Fatalf("connected %d times to the rebound address", n)
				}
				return checkNothingEchoed(t, resp)
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			// A reachable (dev-mode loopback) endpoint that answers an error: no status code or
			// body in error_description, one fetch for several requests (no retries, cooldown).
			name: "jwks_uri answering an error is not a scanning oracle", config: devMode,
			attack: func(t *testing.T, s *testServer) *http.Response {
				var hits atomic.Int64
				remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					hits.Add(1)
					w.WriteHeader(http.StatusTeapot)
					_, _ = io.WriteString(w, internalBanner)
				}))
				t.Cleanup(remote.Close)
				var resp *http.Response
				for i := range 5 {
					if resp != nil {
						resp.Body.Close()
					}
					resp = checkNothingEchoed(t, authenticateWithJWKSURI(t, s, "teapot", remote.URL+"/jwks", fmt.Sprint(i)), "418")
				}
				if n := hits.Load(); n != 1 {
					t.Fatalf("%d fetches for 5 requests, want 1", n)
				}
				return resp
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			// fosite asks for a refresh whenever the kid is not in the set; an attacker's
			// unknown kids must not turn each request into fetches.
			name: "unknown kid does not bypass the cache", config: devMode,
			attack: func(t *testing.T, s *testServer) *http.Response {
				published := newSigningKey(t, "published")
				var hits atomic.Int64
				remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					hits.Add(1)
					_, _ = w.Write(published.jwks)
				}))
				t.Cleanup(remote.Close)
				var resp *http.Response
				for i := range 5 {
					if resp != nil {
						resp.Body.Close()
					}
					resp = authenticateWithJWKSURI(t, s, "kids", remote.URL+"/jwks", fmt.Sprint(i)) // signed by kid k1
				}
				if n := hits.Load(); n != 1 {
					t.Fatalf("%d fetches for 5 assertions with an unknown kid, want 1", n)
				}
				return resp
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			name: "jwks_uri redirecting elsewhere is not followed", config: devMode,
			attack: func(t *testing.T, s *testServer) *http.Response {
				target := newCountingListener(t)
				remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, fmt.Sprintf("http://127.0.0.1:%d/", target.port()), http.StatusFound)
				}))
				t.Cleanup(remote.Close)
				resp := authenticateWithJWKSURI(t, s, "redirect", remote.URL+"/jwks", "1")
				if n := target.accepts.Load(); n != 0 {
					t.Fatal("redirect followed")
				}
				return checkNothingEchoed(t, resp, "302")
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			name: "jwks_uri streaming 200 MB is cut at the size cap", config: devMode,
			attack: func(t *testing.T, s *testServer) *http.Response {
				remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					chunk := bytes.Repeat([]byte(" "), 32<<10)
					_, _ = io.WriteString(w, `{"keys":[`)
					for sent := 0; sent < 200<<20; sent += len(chunk) {
						if _, err := w.Write(chunk); err != nil {
							return
						}
					}
				}))
				t.Cleanup(remote.Close)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				resp := authenticateWithJWKSURI(t, s, "huge", remote.URL+"/jwks", "1")
				d := time.Since(start)
				runtime.ReadMemStats(&after)
				if d > 5*time.Second {
					t.Fatalf("a 200 MB jwks_uri held the request %v", d)
				}
				// Both servers are in this process: all they allocated, not 200 MB.
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
					t.Fatalf("a 200 MB jwks_uri made the process allocate %d MB", alloc>>20)
				}
				return checkNothingEchoed(t, resp)
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
		hostileCase{
			name: "jwks_uri that never answers is bounded by the default timeout", config: devMode,
			attack: func(t *testing.T, s *testServer) *http.Response {
				remote := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
					select {
					case <-r.Context().Done():
					case <-time.After(25 * time.Second):
					}
				}))
				t.Cleanup(remote.Close)
				start := time.Now()
				resp := authenticateWithJWKSURI(t, s, "slow", remote.URL+"/jwks", "1")
				if d := time.Since(start); d > 4*time.Second {
					t.Fatalf("a silent jwks_uri held the request %v (default timeout 2 s)", d)
				}
				return checkNothingEchoed(t, resp)
			},
			status: http.StatusUnauthorized, oauthErr: "invalid_client",
		},
	)
	return cases
}

// authenticateWithJWKSURI stores a private_key_jwt client whose keys are at uri and sends a
// client_credentials request authenticated by an assertion of a key it does not publish.
func authenticateWithJWKSURI(t *testing.T, s *testServer, id, uri, jti string) *http.Response {
	t.Helper()
	if _, err := s.Store().Client(context.Background(), id); err != nil {
		c := defaultClient(id)
		c.TokenEndpointAuthMethod = provider.AuthPrivateKeyJWT
		c.JWKSURI = uri
		c.Metadata = json.RawMessage(`{"token_endpoint_auth_signing_alg":"ES256"}`)
		s.addClient(t, c)
	}
	key := newSigningKey(t, "k1")
	return s.send(t, compose.PathToken, "", "", url.Values{
		"grant_type":            {"client_credentials"},
		"client_id":             {id},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {key.assertion(t, id, id, s.URL+compose.PathToken, id+"-"+jti)},
	})
}

// checkNothingEchoed fails when the error answer carries what the remote answered (its
// banner, or one of also, such as its status code), and returns resp with its body intact.
func checkNothingEchoed(t *testing.T, resp *http.Response, also ...string) *http.Response {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range append([]string{"redis", "OpenSSH", "127.0.0.1", "status", "code "}, also...) {
		if strings.Contains(string(body), leak) {
			t.Fatalf("the error answer carries %q: %s", leak, body)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

// countingListener is a TCP service on loopback (as Redis on 127.0.0.1:6379 is) that counts
// the connections it accepts and answers each with a banner.
type countingListener struct {
	net.Listener
	accepts atomic.Int64
}

func newCountingListener(t *testing.T) *countingListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &countingListener{Listener: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepts.Add(1)
			_, _ = io.WriteString(conn, "+"+internalBanner+"\r\n")
			conn.Close()
		}
	}()
	return l
}

func (l *countingListener) port() int { return l.Addr().(*net.TCPAddr).Port }

// staticResolver answers its names with one address each, as a hostile DNS zone would.
type staticResolver map[string]netip.Addr

func (r staticResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return []netip.Addr{a}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

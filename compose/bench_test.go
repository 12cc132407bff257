package compose_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ory/fosite"
	fositecompose "github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	fositestorage "github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/compose"
)

// The token endpoint benchmarks post client_credentials requests over loopback HTTP with
// keep-alive from 16 concurrent clients (SetParallelism(8) on 2 CPUs; 8×GOMAXPROCS in
// general), against oauthkit in each format and fosite's own composition in the same run.
// Every server checks the same SHA-256 client secret with adapters/clientsecret.

const benchParallelism = 8

func benchTokenEndpoint(b *testing.B, h http.Handler, id, secret string, check func(body []byte) bool) {
	l := newLoadClient(b, h, id, secret)
	if status, body, err := l.do(l.dial(b)); err != nil || status != http.StatusOK || !check(body) {
		b.Fatalf("warm-up: %d %v %s", status, err, body)
	}
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		c := l.dial(b)
		for pb.Next() {
			if status, body, err := l.do(c); err != nil || status != http.StatusOK {
				b.Errorf("status %d, %v: %s", status, err, body)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/req")
}

var benchFormats = []string{compose.FormatOpaque, compose.FormatEncrypted, compose.FormatJWS, compose.FormatJWSStateless, compose.FormatJWTOnly, compose.FormatJWE}

// oauthkitServer composes a memory-backed server issuing format, with client "bench".
func oauthkitServer(tb testing.TB, format, hash string) *compose.Server {
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	srv, err := compose.New(context.Background(), compose.Config{
		Issuer: "http://127.0.0.1", StorageURL: "memory://", KEK: kek, DefaultFormat: format,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	c := defaultClient("bench")
	c.SecretHash = hash
	c.TokenEndpointAuthMethod = "client_secret_basic"
	if err := srv.Store().CreateClient(context.Background(), &c); err != nil {
		tb.Fatal(err)
	}
	return srv
}

// fositeServers are fosite's own compositions over its memory store: its HMAC strategy
// (ComposeAllEnabled) and its JWT strategy with an ES256 key.
func fositeServers(hash string) (hmacServer, jwtServer http.Handler) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	fositeConfig := func() *fosite.Config {
		return &fosite.Config{
			GlobalSecret:        []byte("0123456789abcdef0123456789abcdef"),
			ClientSecretsHasher: clientsecret.Hasher{},
			AccessTokenIssuer:   "http://127.0.0.1",
			ScopeStrategy:       fosite.ExactScopeStrategy,
		}
	}
	fositeStore := func() *fositestorage.MemoryStore {
		st := fositestorage.NewMemoryStore()
		st.Clients["bench"] = &fosite.DefaultClient{
			ID: "bench", Secret: []byte(hash), GrantTypes: []string{"client_credentials"},
			Scopes: []string{"read", "write"}, Audience: []string{"api"},
		}
		return st
	}
	hp := fositecompose.ComposeAllEnabled(fositeConfig(), fositeStore(), key)
	hmacServer = fositeTokenHandler(hp, func() fosite.Session { return &fosite.DefaultSession{} })

	cfg := fositeConfig()
	getKey := func(context.Context) (any, error) { return key, nil }
	jp := fositecompose.Compose(cfg, fositeStore(), &fositecompose.CommonStrategy{
		CoreStrategy: fositecompose.NewOAuth2JWTStrategy(getKey, fositecompose.NewOAuth2HMACStrategy(cfg), cfg),
		Signer:       &jwt.DefaultSigner{GetPrivateKey: getKey},
	}, fositecompose.OAuth2ClientCredentialsGrantFactory, fositecompose.OAuth2TokenIntrospectionFactory)
	jwtServer = fositeTokenHandler(jp, func() fosite.Session {
		return &oauth2.JWTSession{JWTClaims: &jwt.JWTClaims{}, JWTHeader: &jwt.Headers{}}
	})
	return hmacServer, jwtServer
}

func BenchmarkTokenEndpointClientCredentials(b *testing.B) {
	secret, _ := clientsecret.Generate()
	hash, _ := clientsecret.Hash(secret)
	isJWT := func(body []byte) bool { return strings.Count(string(body), ".") >= 2 }
	anyBody := func([]byte) bool { return true }

	for _, format := range benchFormats {
		b.Run("oauthkit-"+format, func(b *testing.B) {
			benchTokenEndpoint(b, oauthkitServer(b, format, hash), "bench", secret, anyBody)
		})
	}
	// Each run gets fresh servers and stores, as the oauthkit ones do, so that no store
	// carries the tokens of earlier runs into the garbage collector's work.
	b.Run("fosite-hmac", func(b *testing.B) {
		hmacServer, _ := fositeServers(hash)
		benchTokenEndpoint(b, hmacServer, "bench", secret, anyBody)
	})
	b.Run("fosite-jwt-es256", func(b *testing.B) {
		_, jwtServer := fositeServers(hash)
		benchTokenEndpoint(b, jwtServer, "bench", secret, isJWT)
	})
}

// fositeTokenHandler is the token endpoint fosite's documentation shows.
func fositeTokenHandler(p fosite.OAuth2Provider, newSession func() fosite.Session) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := p.NewAccessRequest(ctx, r, newSession())
		if err != nil {
			p.WriteAccessError(ctx, w, ar, err)
			return
		}
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		ar.GrantAudience("api")
		resp, err := p.NewAccessResponse(ctx, ar)
		if err != nil {
			p.WriteAccessError(ctx, w, ar, err)
			return
		}
		p.WriteAccessResponse(ctx, w, ar, resp)
	})
}

// loadClient posts client_credentials requests over keep-alive loopback connections with a
// minimal HTTP/1.1 client: a pre-built request written as bytes, the response read with
// http.ReadResponse. net/http's Transport costs more CPU per request than the servers being
// measured, and it runs on the same two cores; the lean client leaves them to the server.
type loadClient struct {
	addr string
	req  []byte
}

func newLoadClient(tb testing.TB, h http.Handler, id, secret string) *loadClient {
	ts := httptest.NewServer(h)
	tb.Cleanup(ts.Close)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+compose.PathToken, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return &loadClient{addr: ts.Listener.Addr().String(), req: buf.Bytes()}
}

// conn is one keep-alive connection of a loadClient.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func (l *loadClient) dial(tb testing.TB) *conn {
	c, err := net.Dial("tcp", l.addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &conn{c: c, r: bufio.NewReader(c)}
}

// do sends one request and returns the response status and body.
func (l *loadClient) do(c *conn) (int, []byte, error) {
	if _, err := c.c.Write(l.req); err != nil {
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, body, err
}

// run sends n requests over conns, one goroutine per connection, and returns how long they
// took.
func (l *loadClient) run(tb testing.TB, conns []*conn, n int) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				status, body, err := l.do(c)
				if err != nil || status != http.StatusOK {
					tb.Errorf("status %d, %v: %s", status, err, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkTokenEndpointRatio measures each oauthkit format against its fosite peer in
// alternating rounds of 200 requests from 16 concurrent keep-alive clients, so that load
// from anything else on the machine falls on both alike. It reports the throughput ratio
// (x-fosite-hmac for opaque and encrypted, x-fosite-jwt for the JWT formats; above 1 means
// oauthkit is faster) and both throughputs, and the same for the CPU time each spent per
// request (client included), which load from other processes does not inflate. One b.N is
// one round pair.
func BenchmarkTokenEndpointRatio(b *testing.B) {
	secret, _ := clientsecret.Generate()
	hash, _ := clientsecret.Hash(secret)
	const round, conc = 200, 16
	for _, format := range benchFormats {
		b.Run(format, func(b *testing.B) {
			hmacServer, jwtServer := fositeServers(hash)
			ours := newLoadClient(b, oauthkitServer(b, format, hash), "bench", secret)
			peerName, peerHandler := "fosite-hmac", hmacServer
			if format != compose.FormatOpaque && format != compose.FormatEncrypted {
				peerName, peerHandler = "fosite-jwt", jwtServer
			}
			peer := newLoadClient(b, peerHandler, "bench", secret)
			oursConns, peerConns := make([]*conn, conc), make([]*conn, conc)
			for i := range conc {
				oursConns[i], peerConns[i] = ours.dial(b), peer.dial(b)
			}
			ours.run(b, oursConns, 100) // warm up caches
			peer.run(b, peerConns, 100)
			var tOurs, tPeer, cOurs, cPeer time.Duration
			measure := func(l *loadClient, conns []*conn, t, c *time.Duration) {
				c0 := cpuTime()
				*t += l.run(b, conns, round)
				*c += cpuTime() - c0
			}
			b.ResetTimer()
			for i := range b.N {
				if i%2 == 0 {
					measure(ours, oursConns, &tOurs, &cOurs)
					measure(peer, peerConns, &tPeer, &cPeer)
				} else {
					measure(peer, peerConns, &tPeer, &cPeer)
					measure(ours, oursConns, &tOurs, &cOurs)
				}
			}
			b.StopTimer()
			n := float64(b.N * round)
			b.ReportMetric(n/tOurs.Seconds(), "oauthkit-req/s")
			b.ReportMetric(n/tPeer.Seconds(), peerName+"-req/s")
			b.ReportMetric(tPeer.Seconds()/tOurs.Seconds(), "x-"+peerName)
			if cOurs > 0 {
				b.ReportMetric(float64(cOurs.Microseconds())/n, "oauthkit-cpu-µs/req")
				b.ReportMetric(float64(cPeer.Microseconds())/n, peerName+"-cpu-µs/req")
				b.ReportMetric(cPeer.Seconds()/cOurs.Seconds(), "cpu-x-"+peerName)
			}
		})
	}
}

// BenchmarkTokenHandler calls each server's token endpoint handler directly, without the
// HTTP stack, from 16 goroutines: the server-side work alone, which the loopback benchmarks
// dilute with the cost of net/http on both ends (the same for every server).
func BenchmarkTokenHandler(b *testing.B) {
	secret, _ := clientsecret.Generate()
	hash, _ := clientsecret.Hash(secret)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}.Encode()
	run := func(b *testing.B, h http.Handler) {
		b.ReportAllocs()
		b.SetParallelism(benchParallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+compose.PathToken, strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("bench", secret)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Errorf("status %d: %s", w.Code, w.Body)
					return
				}
			}
		})
	}
	for _, format := range benchFormats {
		b.Run("oauthkit-"+format, func(b *testing.B) { run(b, oauthkitServer(b, format, hash)) })
	}
	b.Run("fosite-hmac", func(b *testing.B) {
		hmacServer, _ := fositeServers(hash)
		run(b, hmacServer)
	})
	b.Run("fosite-jwt-es256", func(b *testing.B) {
		_, jwtServer := fositeServers(hash)
		run(b, jwtServer)
	})
}

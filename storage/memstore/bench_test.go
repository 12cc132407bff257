package memstore

// Benchmarks of the hot paths. They live inside the package only so that the redeem and
// rotate benchmarks can mark their pool of used records unused again (one pointer write per
// record under the write lock, about a nanosecond per operation) instead of creating new
// records inside the timed loop or letting the store grow without bound. Everything measured
// goes through the exported methods.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./storage/memstore/

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testclock"
	"github.com/oauthkit/oauthkit/provider"
)

// pool is how many records one benchmark goroutine cycles through.
const pool = 1 << 14

// benchClock is a clock that moves only when a pool wraps around.
type benchClock = testclock.Clock

func newBenchClock() *benchClock { return testclock.New(time.Now()) }

// records returns n distinct records of the given kind, four to a grant, shaped like the
// ones oauthkit stores: a 43-byte key (a base64url SHA-256 tag), three scopes, an audience,
// claims and a 256-byte session.
func records(kind provider.Kind, n int, now time.Time) []*provider.Record {
	rs := make([]*provider.Record, n)
	var grant string
	for i := range rs {
		if i%4 == 0 {
			grant = rand.Text()
		}
		sum := sha256.Sum256([]byte(rand.Text()))
		rs[i] = &provider.Record{
			Kind:              kind,
			Key:               base64.RawURLEncoding.EncodeToString(sum[:]),
			GrantID:           grant,
			ClientID:          "my-client",
			Subject:           "user-1234567890",
			RequestedScopes:   []string{"openid", "profile", "offline_access"},
			GrantedScopes:     []string{"openid", "profile", "offline_access"},
			RequestedAudience: []string{"https://api.example.com"},
			GrantedAudience:   []string{"https://api.example.com"},
			IssuedAt:          now,
			ExpiresAt:         now.Add(time.Hour),
			AuthTime:          now,
			RedirectURI:       "https://client.example.com/callback",
			Claims:            []byte(`{"acr":"urn:mace:incommon:iap:silver","amr":["pwd","otp"]}`),
			Session:           make([]byte, 256),
		}
	}
	return rs
}

// stored creates rs in s and returns the stored records themselves (not copies), so that a
// benchmark can mark them unused again.
func stored(b *testing.B, s *Store, rs []*provider.Record) []*provider.Record {
	out := make([]*provider.Record, len(rs))
	for i, r := range rs {
		if err := s.CreateToken(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		s.mu.RLock()
		out[i] = s.tokens[tokenID{r.Kind, r.Key}]
		s.mu.RUnlock()
	}
	return out
}

// unuse marks the stored records unused again.
func unuse(s *Store, rs []*provider.Record) {
	s.mu.Lock()
	for _, r := range rs {
		r.UsedAt = time.Time{}
	}
	s.mu.Unlock()
}

func newBenchStore(b *testing.B, clock *benchClock) *Store {
	s := New(Options{Now: clock.Now})
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkCreateToken creates records with distinct keys. Each time the pool wraps around,
// the clock moves two hours, so the next create of a key replaces an expired record (as a
// store in steady state with a sweeper does) rather than growing the store without bound.
func BenchmarkCreateToken(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	rs := records(provider.AccessToken, pool, clock.Now())
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(rs) {
			i = 0
			rewind(clock, rs)
		}
		if err := s.CreateToken(ctx, rs[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// rewind moves clock two hours on and makes rs live again at the new time.
func rewind(clock *benchClock, rs []*provider.Record) {
	clock.Advance(2 * time.Hour)
	now := clock.Now()
	for _, r := range rs {
		r.IssuedAt, r.ExpiresAt = now, now.Add(time.Hour)
	}
}

func BenchmarkCreateTokenParallel(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	ctx := context.Background()
	pools := make(chan []*provider.Record, runtime.GOMAXPROCS(0))
	for range cap(pools) {
		pools <- records(provider.AccessToken, pool, clock.Now())
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rs := <-pools
		i := 0
		for pb.Next() {
			if i == len(rs) {
				i = 0
				rewind(clock, rs)
			}
			if err := s.CreateToken(ctx, rs[i]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkToken reads live records.
func BenchmarkToken(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	rs := records(provider.AccessToken, pool, clock.Now())
	stored(b, s, rs)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Token(ctx, provider.AccessToken, rs[i%pool].Key); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkTokenParallel(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	rs := records(provider.AccessToken, pool, clock.Now())
	stored(b, s, rs)
	ctx := context.Background()
	var seed atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(7919))
		for pb.Next() {
			if _, err := s.Token(ctx, provider.AccessToken, rs[i%pool].Key); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// benchUse measures RedeemCode or RotateRefreshToken, each call on an unused record.
func benchUse(b *testing.B, kind provider.Kind, use func(s *Store, key string) (*provider.Record, error)) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	rs := records(kind, pool, clock.Now())
	live := stored(b, s, rs)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(rs) {
			i = 0
			unuse(s, live)
		}
		if _, err := use(s, rs[i].Key); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchUseParallel(b *testing.B, kind provider.Kind, use func(s *Store, key string) (*provider.Record, error)) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	type poolOf struct{ rs, live []*provider.Record }
	pools := make(chan poolOf, runtime.GOMAXPROCS(0))
	for range cap(pools) {
		rs := records(kind, pool, clock.Now())
		pools <- poolOf{rs, stored(b, s, rs)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		p := <-pools
		rs, live := p.rs, p.live
		i := 0
		for pb.Next() {
			if i == len(rs) {
				i = 0
				unuse(s, live)
			}
			if _, err := use(s, rs[i].Key); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func redeemCode(s *Store, key string) (*provider.Record, error) {
	return s.RedeemCode(context.Background(), key)
}

func rotateRefresh(s *Store, key string) (*provider.Record, error) {
	return s.RotateRefreshToken(context.Background(), key)
}

func BenchmarkRedeemCode(b *testing.B) { benchUse(b, provider.AuthorizationCode, redeemCode) }
func BenchmarkRedeemCodeParallel(b *testing.B) {
	benchUseParallel(b, provider.AuthorizationCode, redeemCode)
}
func BenchmarkRotateRefreshToken(b *testing.B) { benchUse(b, provider.RefreshToken, rotateRefresh) }
func BenchmarkRotateRefreshTokenParallel(b *testing.B) {
	benchUseParallel(b, provider.RefreshToken, rotateRefresh)
}

// BenchmarkDenied checks jtis against a deny-list of pool entries, half of them listed.
func BenchmarkDenied(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	jtis := denyList(b, s, clock)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Denied(ctx, jtis[i%len(jtis)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkDeniedParallel(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	jtis := denyList(b, s, clock)
	ctx := context.Background()
	var seed atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(7919))
		for pb.Next() {
			if _, err := s.Denied(ctx, jtis[i%len(jtis)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// denyList returns 2×pool jtis of which the even ones are denied in s.
func denyList(b *testing.B, s *Store, clock *benchClock) []string {
	jtis := make([]string, 2*pool)
	for i := range jtis {
		jtis[i] = rand.Text()
		if i%2 == 0 {
			if err := s.Deny(context.Background(), jtis[i], clock.Now().Add(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	}
	return jtis
}

// BenchmarkCollect measures one sweep over 100 000 live records and 100 000 deny-list
// entries, none expired: how long the sweeper holds the write lock at that size.
func BenchmarkCollect(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	ctx := context.Background()
	now := clock.Now()
	for i := range 100_000 {
		key := rand.Text()
		r := &provider.Record{Kind: provider.AccessToken, Key: key, GrantID: key, ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateToken(ctx, r); err != nil {
			b.Fatal(err)
		}
		if err := s.Deny(ctx, key, now.Add(time.Duration(i)*time.Millisecond+time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if n, err := s.Collect(ctx); err != nil || n != 0 {
			b.Fatalf("Collect = %d, %v", n, err)
		}
	}
}

// BenchmarkTokenDuringCollect reads records while another goroutine sweeps a store of
// 100 000 live records and 100 000 deny-list entries over and over, and reports the
// 99th-percentile and the worst latency of a read: what a sweep costs the callers it stalls.
func BenchmarkTokenDuringCollect(b *testing.B) {
	clock := newBenchClock()
	s := newBenchStore(b, clock)
	ctx := context.Background()
	now := clock.Now()
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = rand.Text()
		r := &provider.Record{Kind: provider.AccessToken, Key: keys[i], GrantID: keys[i], ExpiresAt: now.Add(time.Hour)}
		if err := s.CreateToken(ctx, r); err != nil {
			b.Fatal(err)
		}
		if err := s.Deny(ctx, keys[i], now.Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
				s.Collect(ctx)
			}
		}
	}()
	lat := make([]time.Duration, 0, 1<<20)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if _, err := s.Token(ctx, provider.AccessToken, keys[i%len(keys)]); err != nil {
			b.Fatal(err)
		}
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(t0))
		}
		i++
	}
	close(stop)
	<-done
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100]), "p99-ns")
	b.ReportMetric(float64(lat[len(lat)-1]), "max-ns")
}

// BenchmarkRevokeGrant creates the four records of a grant and revokes the grant, in stores
// that hold 0 and 100 000 other records: the figure should not depend on the store's size.
func BenchmarkRevokeGrant(b *testing.B) {
	for _, others := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("others=%d", others), func(b *testing.B) {
			clock := newBenchClock()
			s := newBenchStore(b, clock)
			ctx := context.Background()
			now := clock.Now()
			for range others {
				key := rand.Text()
				r := &provider.Record{Kind: provider.AccessToken, Key: key, GrantID: key, ExpiresAt: now.Add(time.Hour)}
				if err := s.CreateToken(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			grant := records(provider.AccessToken, 4, now)
			for i, k := range []provider.Kind{provider.AuthorizationCode, provider.PKCE, provider.AccessToken, provider.RefreshToken} {
				grant[i].Kind, grant[i].Session = k, nil
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range grant {
					if err := s.CreateToken(ctx, r); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.RevokeGrant(ctx, grant[0].GrantID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClient reads a client shaped like a registered confidential client.
func BenchmarkClient(b *testing.B) {
	s := newBenchStore(b, newBenchClock())
	ctx := context.Background()
	c := &provider.Client{
		ID:                      "my-client",
		SecretHash:              "sha256$" + rand.Text(),
		Name:                    "My Client",
		RedirectURIs:            []string{"https://client.example.com/callback"},
		GrantTypes:              []string{"authorization_code", "refresh_token", "client_credentials"},
		ResponseTypes:           []string{"code"},
		Scopes:                  []string{"openid", "profile", "offline_access"},
		Audience:                []string{"https://api.example.com"},
		TokenEndpointAuthMethod: provider.AuthClientSecretBasic,
		Metadata:                []byte(`{"logo_uri":"https://client.example.com/logo.png"}`),
		CreatedAt:               time.Now(),
		UpdatedAt:               time.Now(),
	}
	if err := s.CreateClient(ctx, c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Client(ctx, c.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLiveHeap reports the live heap a stored record costs, index entries included, for
// grants of one record (client_credentials) and of four (a code flow with a refresh), with
// keys sliced out of whole tokens as the adapter hands them over.
func BenchmarkLiveHeap(b *testing.B) {
	for _, perGrant := range []int{1, 4} {
		b.Run(fmt.Sprintf("records-per-grant=%d", perGrant), func(b *testing.B) {
			const n = 1 << 15
			now := time.Now()
			rs := records(provider.AccessToken, n, now)
			keys := make([]string, n)
			for i, r := range rs {
				r.GrantID = fmt.Sprintf("grant-%08d", i/perGrant)
				keys[i] = r.Key
			}
			pad := strings.Repeat("x", 600) // a JWS's signature and more, after the key
			b.ReportAllocs()
			var perRecord float64
			for b.Loop() {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				s := New(Options{Now: func() time.Time { return now }})
				for i, r := range rs {
					token := "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMzQ1Njc4OTAifQ." + keys[i] + pad
					r.Key = token[len(token)-len(pad)-len(keys[i]) : len(token)-len(pad)]
					if err := s.CreateToken(context.Background(), r); err != nil {
						b.Fatal(err)
					}
					r.Key = keys[i] // the caller lets go of its token
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perRecord = float64(after.HeapAlloc-before.HeapAlloc) / n
				runtime.KeepAlive(s)
				s.Close()
			}
			b.ReportMetric(perRecord, "live-B/record")
		})
	}
}

package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// roundTrips counts what the client sends: one per command, one per pipeline (a Cluster
// pipeline goes to every master it touches at once, so it costs one round trip of latency).
type roundTrips struct{ n atomic.Int64 }

func (c *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)

		return next(ctx, cmd)
	}
}

func (c *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)

		return next(ctx, cmds)
	}
}

// benchStore opens an isolated store with a round-trip counter on its client.
func benchStore(b *testing.B, be backend) (*redisstore.Store, *roundTrips) {
	b.Helper()
	s, _ := openIsolated(b, be.url(b), time.Now)
	rt := &roundTrips{}
	s.Redis().AddHook(rt)
	return s, rt
}

func benchRecord(kind provider.Kind, i int, now time.Time) *provider.Record {
	return &provider.Record{
		Kind: kind, Key: "bench-key-" + strconv.Itoa(i), GrantID: "bench-grant-" + strconv.Itoa(i),
		ClientID: "client", Subject: "alice",
		RequestedScopes: []string{"openid", "offline_access"}, GrantedScopes: []string{"openid", "offline_access"},
		GrantedAudience: []string{"https://api.example.com"},
		IssuedAt:        now, ExpiresAt: now.Add(time.Hour),
		PKCEChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", PKCEMethod: "S256",
		RedirectURI: "https://client.example.com/cb", Session: make([]byte, 256),
	}
}

// seed creates n records of kind and resets the counter.
func seed(b *testing.B, s *redisstore.Store, rt *roundTrips, kind provider.Kind, n int) {
	b.Helper()
	now := time.Now()
	for i := range n {
		if err := s.CreateToken(b.Context(), benchRecord(kind, i, now)); err != nil {
			b.Fatal(err)
		}
	}
	rt.n.Store(0)
}

func report(b *testing.B, rt *roundTrips) {
	b.ReportMetric(float64(rt.n.Load())/float64(b.N), "roundtrips/op")
}

func BenchmarkRedisStore(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			b.Run("Ping", func(b *testing.B) { // the floor: one round trip doing nothing
				s, rt := benchStore(b, be)
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Ping(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
				report(b, rt)
			})
			b.Run("CreateToken", func(b *testing.B) {
				s, rt := benchStore(b, be)
				now := time.Now()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if err := s.CreateToken(b.Context(), benchRecord(provider.AccessToken, i, now)); err != nil {
						b.Fatal(err)
					}
					i++
				}
				report(b, rt)
			})
			b.Run("Token", func(b *testing.B) {
				s, rt := benchStore(b, be)
				const n = 1024
				seed(b, s, rt, provider.AccessToken, n)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := s.Token(b.Context(), provider.AccessToken, "bench-key-"+strconv.Itoa(i%n)); err != nil {
						b.Fatal(err)
					}
					i++
				}
				report(b, rt)
			})
			b.Run("RevokeGrant", func(b *testing.B) { // a code, an access and a refresh token
				s, rt := benchStore(b, be)
				now := time.Now()
				for i := range b.N {
					for _, kind := range []provider.Kind{provider.AuthorizationCode, provider.AccessToken, provider.RefreshToken} {
						r := benchRecord(kind, i, now)
						if err := s.CreateToken(b.Context(), r); err != nil {
							b.Fatal(err)
						}
					}
				}
				rt.n.Store(0)
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					if err := s.RevokeGrant(b.Context(), "bench-grant-"+strconv.Itoa(i)); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				report(b, rt)
			})
			for _, u := range []struct {
				name string
				kind provider.Kind
				call func(s *redisstore.Store, ctx context.Context, key string) (*provider.Record, error)
			}{
				{"RedeemCode", provider.AuthorizationCode, (*redisstore.Store).RedeemCode},
				{"RotateRefreshToken", provider.RefreshToken, (*redisstore.Store).RotateRefreshToken},
			} {
				b.Run(u.name, func(b *testing.B) {
					s, rt := benchStore(b, be)
					seed(b, s, rt, u.kind, b.N)
					b.ReportAllocs()
					b.ResetTimer()
					for i := range b.N {
						if _, err := u.call(s, b.Context(), "bench-key-"+strconv.Itoa(i)); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					report(b, rt)
				})
			}
		})
	}
}

// TestRoundTripsPerOperation pins the round trips doc.go promises, on both deployments.
func TestRoundTripsPerOperation(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			// A Cluster spreads a grant's records over the masters; a single server does not.
			createRTs, revokeRTs, deleteClientRTs := 1, 1, 1
			if be.name == "Cluster" {
				createRTs, revokeRTs = 3, 3 // create: both indexes, record, both revocation marks
				deleteClientRTs = 4         // mark and index, records, index, client
			}
			// Warm up: run every step first on a store of another prefix (the hash tags, and
			// so the slots and masters, are the same), which loads every script on every
			// master the measured run touches, and opens the connections (go-redis keeps a
			// separate pool for pipelines, whose handshake would otherwise be counted).
			for _, measured := range []bool{false, true} {
				clock := storagetest.NewClock()
				s, _ := openIsolated(t, be.url(t), clock.Now)
				rt := &roundTrips{}
				s.Redis().AddHook(rt)
				ctx := t.Context()
				now := clock.Now()
				code := benchRecord(provider.AuthorizationCode, 1, now)
				refresh := benchRecord(provider.RefreshToken, 1, now)
				for _, step := range []struct {
					name string
					want int
					call func() error
				}{
					{"CreateToken", createRTs, func() error { return s.CreateToken(ctx, code) }},
					{"CreateToken", createRTs, func() error { return s.CreateToken(ctx, refresh) }},
					{"Token", 1, func() error { _, err := s.Token(ctx, code.Kind, code.Key); return err }},
					{"RedeemCode", 1, func() error { _, err := s.RedeemCode(ctx, code.Key); return err }},
					{"RotateRefreshToken", 1, func() error { _, err := s.RotateRefreshToken(ctx, refresh.Key); return err }},
					// A loser of a concurrent rotation revokes nothing.
					{"RotateRefreshToken again within RotationGrace", 1, func() error {
						if _, err := s.RotateRefreshToken(ctx, refresh.Key); !errors.Is(err, provider.ErrAlreadyUsed) {
							return fmt.Errorf("want ErrAlreadyUsed, got %v", err)
						}
						return nil
					}},
					{"RotateRefreshToken reused past RotationGrace", 1 + revokeRTs, func() error {
						clock.Advance(provider.RotationGrace)
						if _, err := s.RotateRefreshToken(ctx, refresh.Key); !errors.Is(err, provider.ErrGrantRevoked) {
							return fmt.Errorf("want ErrGrantRevoked, got %v", err)
						}
						return nil
					}},
					{"RevokeGrant", revokeRTs, func() error { return s.RevokeGrant(ctx, refresh.GrantID) }},
					{"CreateToken", createRTs, func() error { return s.CreateToken(ctx, benchRecord(provider.AccessToken, 2, now)) }},
					{"DeleteClient", deleteClientRTs, func() error {
						if err := s.DeleteClient(ctx, refresh.ClientID); !errors.Is(err, provider.ErrNotFound) {
							return fmt.Errorf("want ErrNotFound, got %v", err)
						}
						return nil
					}},
				} {
					before := rt.n.Load()
					if err := step.call(); err != nil {
						t.Fatalf("%s: %v", step.name, err)
					}
					if got := rt.n.Load() - before; measured && got != int64(step.want) {
						t.Errorf("%s took %d round trips, want %d", step.name, got, step.want)
					}
				}
			}
		})
	}
}

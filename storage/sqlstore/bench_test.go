package sqlstore_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	"github.com/oauthkit/oauthkit/storage/storagetest"
)

// benchRecord returns a record shaped like a real one: a 43-byte key, a grant, scopes,
// audience, PKCE and a small session.
func benchRecord(kind provider.Kind, i int, now time.Time) *provider.Record {
	key := "k" + strconv.Itoa(i) + "-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"
	return &provider.Record{
		Kind: kind, Key: key[:43], GrantID: "grant-" + strconv.Itoa(i), ClientID: "client-1", Subject: "alice",
		RequestedScopes: []string{"openid", "profile", "offline_access"}, GrantedScopes: []string{"openid", "offline_access"},
		GrantedAudience: []string{"https://api.example.com"},
		IssuedAt:        now, ExpiresAt: now.Add(time.Hour), AuthTime: now,
		PKCEChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", PKCEMethod: "S256",
		RedirectURI: "https://client.example.com/cb",
		Session:     []byte(`{"amr":["pwd"],"acr":"1","nonce":"n-0S6_WzA2Mj"}`),
	}
}

// TestStatementsPerOperation pins down how many statements (round trips) each hot operation
// costs on each dialect: two for create (the insert, then the read of the grant's revocation
// mark), one for read, redeem and rotate, except redeem and rotate on MariaDB, which has no
// UPDATE … RETURNING and reads the row after updating it; three for a reused code, which
// deletes the rest of its grant unmarked; two for a refresh token presented again within
// provider.RotationGrace (the loser of a concurrent rotation, which revokes nothing), and more
// past it, where the reuse marks the grant; three for DeleteClient (the client's mark, the
// DELETE of its tokens, the DELETE of the client).
func TestStatementsPerOperation(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			clock := storagetest.NewClock()
			s, c := openCounting(t, b, sqlstore.Options{Now: clock.Now})
			ctx, now := t.Context(), clock.Now()
			use, reuse, rereuse, revoke := int64(1), int64(3), int64(4), int64(2)
			if b.name == "mariadb" {
				use = 2 // no UPDATE … RETURNING: update, then read
				// INSERT … SELECT locks rows on InnoDB: the mark's expiry is read first.
				rereuse, revoke = 5, 3
			}
			code, refresh := benchRecord(provider.AuthorizationCode, 1, now), benchRecord(provider.RefreshToken, 2, now)
			steps := []struct {
				name string
				want int64
				call func() error
			}{
				{"CreateToken", 2, func() error { return s.CreateToken(ctx, code) }},
				{"CreateToken", 2, func() error { return s.CreateToken(ctx, refresh) }},
				{"Token", 1, func() error { _, err := s.Token(ctx, code.Kind, code.Key); return err }},
				{"RedeemCode", use, func() error { _, err := s.RedeemCode(ctx, code.Key); return err }},
				{"RotateRefreshToken", use, func() error { _, err := s.RotateRefreshToken(ctx, refresh.Key); return err }},
				// A code's reuse: the update that matches nothing, the read that tells "used"
				// from "missing", the deletion of the rest of the grant (no mark).
				{"RedeemCode again", reuse, func() error {
					if _, err := s.RedeemCode(ctx, code.Key); !errors.Is(err, provider.ErrAlreadyUsed) {
						return errors.New("want ErrAlreadyUsed")
					}
					return nil
				}},
				// A loser of a concurrent rotation: the update that matches nothing and the
				// read; nothing is revoked.
				{"RotateRefreshToken again within RotationGrace", 2, func() error {
					if _, err := s.RotateRefreshToken(ctx, refresh.Key); !errors.Is(err, provider.ErrAlreadyUsed) {
						return errors.New("want ErrAlreadyUsed")
					}
					return nil
				}},
				// A refresh token's reuse: the same, with the grant's revocation mark before
				// the deletion.
				{"RotateRefreshToken again past RotationGrace", rereuse, func() error {
					clock.Advance(provider.RotationGrace)
					if _, err := s.RotateRefreshToken(ctx, refresh.Key); !errors.Is(err, provider.ErrGrantRevoked) {
						return errors.New("want ErrGrantRevoked")
					}
					return nil
				}},
				{"Denied", 1, func() error { _, err := s.Denied(ctx, "jti"); return err }},
				{"RevokeGrant with kinds", 1, func() error { return s.RevokeGrant(ctx, "grant-3", provider.AccessToken) }},
				// Without kinds: the revocation mark, then the DELETE.
				{"RevokeGrant", revoke, func() error { return s.RevokeGrant(ctx, "grant-3") }},
				{"DeleteClient", 3, func() error {
					if err := s.DeleteClient(ctx, "client-1"); err != nil && !errors.Is(err, provider.ErrNotFound) {
						return err
					}
					return nil
				}},
			}
			for _, st := range steps {
				before := c.stmts.Load()
				if err := st.call(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				if got := c.stmts.Load() - before; got != st.want {
					t.Errorf("%s ran %d statements, want %d", st.name, got, st.want)
				}
			}
		})
	}
}

// BenchmarkStore measures the hot operations on each dialect through a statement-counting
// connector; stmts/op is the number of statements (round trips) per operation.
func BenchmarkStore(b *testing.B) {
	type target struct {
		name string
		open func(b *testing.B) (provider.Store, func() int64)
	}
	var targets []target
	for _, be := range backends {
		targets = append(targets, target{be.name, func(b *testing.B) (provider.Store, func() int64) {
			s, c := openCounting(b, be, sqlstore.Options{})
			return s, c.stmts.Load
		}})
	}
	ops := []struct {
		name   string
		kind   provider.Kind
		stored bool // the records exist before the timed loop
		run    func(ctx context.Context, s provider.Store, r *provider.Record) error
	}{
		{"Create", provider.AccessToken, false, func(ctx context.Context, s provider.Store, r *provider.Record) error {
			return s.CreateToken(ctx, r)
		}},
		{"Get", provider.AccessToken, true, func(ctx context.Context, s provider.Store, r *provider.Record) error {
			_, err := s.Token(ctx, r.Kind, r.Key)
			return err
		}},
		{"Redeem", provider.AuthorizationCode, true, func(ctx context.Context, s provider.Store, r *provider.Record) error {
			_, err := s.RedeemCode(ctx, r.Key)
			return err
		}},
		{"Rotate", provider.RefreshToken, true, func(ctx context.Context, s provider.Store, r *provider.Record) error {
			_, err := s.RotateRefreshToken(ctx, r.Key)
			return err
		}},
	}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			for _, op := range ops {
				b.Run(op.name, func(b *testing.B) {
					s, stmts := tg.open(b)
					ctx, now := context.Background(), time.Now()
					recs := make([]*provider.Record, b.N)
					for i := range recs {
						recs[i] = benchRecord(op.kind, i, now)
						if op.stored {
							if err := s.CreateToken(ctx, recs[i]); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.ReportAllocs()
					start := stmts()
					b.ResetTimer()
					for _, r := range recs {
						if err := op.run(ctx, s, r); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(stmts()-start)/float64(b.N), "stmts/op")
				})
			}
			// RedeemParallel redeems distinct codes from 16 goroutines at once, as a busy
			// authorization server does: what one node gets out of the database when
			// commits overlap.
			b.Run("RedeemParallel", func(b *testing.B) {
				s, stmts := tg.open(b)
				ctx, now := context.Background(), time.Now()
				recs := make([]*provider.Record, b.N)
				for i := range recs {
					recs[i] = benchRecord(provider.AuthorizationCode, i, now)
					if err := s.CreateToken(ctx, recs[i]); err != nil {
						b.Fatal(err)
					}
				}
				var next atomic.Int64
				b.ReportAllocs()
				b.SetParallelism(8)
				start := stmts()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						r := recs[next.Add(1)-1]
						if _, err := s.RedeemCode(ctx, r.Key); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				b.ReportMetric(float64(stmts()-start)/float64(b.N), "stmts/op")
			})
		})
	}
}

package peerbench_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/storage"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

// pool is how many distinct tokens a benchmark cycles through before it rebuilds its store
// with the timer stopped.
const pool = 1 << 14

// token is one token as both stores see it.
type token struct {
	rec *provider.Record
	req *fosite.Request
}

// tokens returns n tokens of the given kind with the same content in both models: a
// 43-byte key, three scopes, an audience and a 256-byte session payload.
func tokens(kind provider.Kind, n int) []token {
	now := time.Now()
	ts := make([]token, n)
	for i := range ts {
		sum := sha256.Sum256([]byte(rand.Text()))
		key := base64.RawURLEncoding.EncodeToString(sum[:])
		grant := rand.Text()
		scopes := []string{"openid", "profile", "offline_access"}
		aud := []string{"https://api.example.com"}
		ts[i].rec = &provider.Record{
			Kind: kind, Key: key, GrantID: grant, ClientID: "my-client", Subject: "user-1234567890",
			RequestedScopes: scopes, GrantedScopes: scopes, RequestedAudience: aud, GrantedAudience: aud,
			IssuedAt: now, ExpiresAt: now.Add(time.Hour), AuthTime: now,
			RedirectURI: "https://client.example.com/callback",
			Claims:      []byte(`{"acr":"urn:mace:incommon:iap:silver","amr":["pwd","otp"]}`),
			Session:     make([]byte, 256),
		}
		sess := &fosite.DefaultSession{Subject: "user-1234567890", Username: "user",
			Extra: map[string]any{"acr": "urn:mace:incommon:iap:silver"}}
		sess.SetExpiresAt(fosite.AccessToken, now.Add(time.Hour))
		req := fosite.NewRequest()
		req.ID = grant
		req.RequestedAt = now
		req.Client = &fosite.DefaultClient{ID: "my-client"}
		req.RequestedScope = scopes
		req.GrantedScope = scopes
		req.RequestedAudience = aud
		req.GrantedAudience = aud
		req.Session = sess
		ts[i].req = req
	}
	return ts
}

var ctx = context.Background()

func newMemstore() *memstore.Store { return memstore.New(memstore.Options{}) }

func BenchmarkCreateAccessToken(b *testing.B) {
	ts := tokens(provider.AccessToken, pool)
	b.Run("impl=memstore", func(b *testing.B) {
		s := newMemstore()
		defer s.Close()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(ts) {
				b.StopTimer()
				s.Close()
				s, i = newMemstore(), 0
				b.StartTimer()
			}
			if err := s.CreateToken(ctx, ts[i].rec); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("impl=fosite", func(b *testing.B) {
		s := storage.NewMemoryStore()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(ts) {
				b.StopTimer()
				s, i = storage.NewMemoryStore(), 0
				b.StartTimer()
			}
			if err := s.CreateAccessTokenSession(ctx, ts[i].rec.Key, ts[i].req); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkGetAccessToken(b *testing.B) {
	ts := tokens(provider.AccessToken, pool)
	b.Run("impl=memstore", func(b *testing.B) {
		s := newMemstore()
		defer s.Close()
		for _, t := range ts {
			if err := s.CreateToken(ctx, t.rec); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.Token(ctx, provider.AccessToken, ts[i%pool].rec.Key); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("impl=fosite", func(b *testing.B) {
		s := storage.NewMemoryStore()
		for _, t := range ts {
			if err := s.CreateAccessTokenSession(ctx, t.rec.Key, t.req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := s.GetAccessTokenSession(ctx, ts[i%pool].rec.Key, nil); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkRedeemCode compares memstore's RedeemCode with what fosite's authorization-code
// handler asks of its store for the same step: GetAuthorizeCodeSession, then
// InvalidateAuthorizeCodeSession.
func BenchmarkRedeemCode(b *testing.B) {
	ts := tokens(provider.AuthorizationCode, pool)
	b.Run("impl=memstore", func(b *testing.B) {
		var s *memstore.Store
		refill := func() {
			if s != nil {
				s.Close()
			}
			s = newMemstore()
			for _, t := range ts {
				if err := s.CreateToken(ctx, t.rec); err != nil {
					b.Fatal(err)
				}
			}
		}
		refill()
		defer func() { s.Close() }()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(ts) {
				b.StopTimer()
				refill()
				i = 0
				b.StartTimer()
			}
			if _, err := s.RedeemCode(ctx, ts[i].rec.Key); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("impl=fosite", func(b *testing.B) {
		var s *storage.MemoryStore
		refill := func() {
			s = storage.NewMemoryStore()
			for _, t := range ts {
				if err := s.CreateAuthorizeCodeSession(ctx, t.rec.Key, t.req); err != nil {
					b.Fatal(err)
				}
			}
		}
		refill()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(ts) {
				b.StopTimer()
				refill()
				i = 0
				b.StartTimer()
			}
			if _, err := s.GetAuthorizeCodeSession(ctx, ts[i].rec.Key, nil); err != nil {
				b.Fatal(err)
			}
			if err := s.InvalidateAuthorizeCodeSession(ctx, ts[i].rec.Key); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkRotateRefreshToken compares memstore's RotateRefreshToken with what fosite's
// refresh handler asks of its store for the same step: GetRefreshTokenSession, then
// RotateRefreshToken (which marks the token inactive and deletes the grant's access token).
func BenchmarkRotateRefreshToken(b *testing.B) {
	ts := tokens(provider.RefreshToken, pool)
	b.Run("impl=memstore", func(b *testing.B) {
		var s *memstore.Store
		refill := func() {
			if s != nil {
				s.Close()
			}
			s = newMemstore()
			for _, t := range ts {
				if err := s.CreateToken(ctx, t.rec); err != nil {
					b.Fatal(err)
				}
			}
		}
		refill()
		defer func() { s.Close() }()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(ts) {
				b.StopTimer()
				refill()
				i = 0
				b.StartTimer()
			}
			if _, err := s.RotateRefreshToken(ctx, ts[i].rec.Key); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("impl=fosite", func(b *testing.B) {
		var s *storage.MemoryStore
		refill := func() {
			s = storage.NewMemoryStore()
			for _, t := range ts {
				if err := s.CreateRefreshTokenSession(ctx, t.rec.Key, "", t.req); err != nil {
					b.Fatal(err)
				}
			}
		}
		refill()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == len(ts) {
				b.StopTimer()
				refill()
				i = 0
				b.StartTimer()
			}
			if _, err := s.GetRefreshTokenSession(ctx, ts[i].rec.Key, nil); err != nil {
				b.Fatal(err)
			}
			if err := s.RotateRefreshToken(ctx, ts[i].req.ID, ts[i].rec.Key); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

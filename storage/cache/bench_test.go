package cache_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/internal/testenv"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/cache"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/storage/redisstore"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
)

var quiet = slog.New(slog.DiscardHandler)

func benchClient(id string) *provider.Client {
	now := time.Now()
	return &provider.Client{
		ID: id, SecretHash: "sha256$" + rand.Text(), Name: "Example client",
		RedirectURIs:  []string{"https://client.example.com/cb", "http://127.0.0.1:8080/cb"},
		GrantTypes:    []string{"authorization_code", "refresh_token"},
		ResponseTypes: []string{"code"}, Scopes: []string{"openid", "profile", "offline_access"},
		Audience: []string{"https://api.example.com"}, TokenEndpointAuthMethod: provider.AuthClientSecretBasic,
		JWKSURI: "https://client.example.com/jwks.json", Metadata: []byte(`{"logo_uri":"https://client.example.com/logo.png"}`),
		CreatedAt: now, UpdatedAt: now,
	}
}

// benchBackends open the stores the cache is compared against; each returns nil (and the
// benchmark is skipped) when its server is not there.
var benchBackends = []struct {
	name string
	open func(b *testing.B) provider.Store
}{
	{"memstore", func(b *testing.B) provider.Store {
		s := memstore.New(memstore.Options{})
		b.Cleanup(func() { s.Close() })
		return s
	}},
	{"sqlite", func(b *testing.B) provider.Store {
		s, err := sqlstore.Open(b.Context(), "sqlite://:memory:", sqlstore.Options{Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		if err := s.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
		return s
	}},
	{"redis", func(b *testing.B) provider.Store {
		url := testenv.Require(b, testenv.RedisVar, testenv.RedisDefault, func(ctx context.Context, url string) error {
			s, err := redisstore.Open(ctx, url, redisstore.Options{})
			if err == nil {
				s.Close()
			}
			return err
		})
		prefix := "oauthkit-bench-" + strings.ToLower(rand.Text())
		s, err := redisstore.Open(b.Context(), url, redisstore.Options{Prefix: prefix})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			ctx := context.Background()
			c := s.Redis()
			keys, _ := c.Keys(ctx, prefix+":*").Result()
			if len(keys) > 0 {
				c.Del(ctx, keys...)
			}
			s.Close()
		})
		return s
	}},
}

// BenchmarkClient compares a client read served by the cache with the same read from each
// back end directly.
func BenchmarkClient(b *testing.B) {
	for _, be := range benchBackends {
		for _, cached := range []bool{false, true} {
			name := be.name + "/direct"
			if cached {
				name = be.name + "/cached"
			}
			b.Run(name, func(b *testing.B) {
				var s provider.Store = be.open(b)
				if cached {
					c, err := cache.New(s, cache.Options{})
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { c.Close() })
					s = c
				}
				ctx := b.Context()
				if err := s.CreateClient(ctx, benchClient("bench-client")); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.Client(ctx, "bench-client"); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

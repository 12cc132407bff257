package keyset_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/benchkit"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func benchSet(b *testing.B) *keyset.Set {
	b.Helper()
	s := newSet(b, newKeyStore(b), newClock(), keyset.Options{Algorithms: []string{keyset.ES256, keyset.EdDSA, keyset.A256GCM, keyset.HS256}})
	for range 3 { // a realistic set: next, active and three retired keys per algorithm
		if err := s.Rotate(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkActive(b *testing.B) {
	ctx := context.Background()
	s := benchSet(b)
	benchkit.Run(b, "Set", func() error { _, err := s.Active(ctx, "sig", keyset.ES256); return err })
	b.Run("Set/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Active(ctx, "sig", keyset.ES256); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkLookup(b *testing.B) {
	ctx := context.Background()
	s := benchSet(b)
	keys := s.Keys()
	kid := keys[len(keys)-1].ID() // the oldest retired key: last in JWKS order
	benchkit.Run(b, "Set", func() error { _, err := s.Lookup(ctx, kid); return err })
	b.Run("Set/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Lookup(ctx, kid); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	// The peer: go-jose's own JWKS lookup over the same keys (a linear scan returning a slice).
	var raw jose.JSONWebKeySet
	for _, k := range keys {
		raw.Keys = append(raw.Keys, *k.JWK())
	}
	b.Run("go-jose JSONWebKeySet.Key", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if len(raw.Key(kid)) != 1 {
				b.Fatal("not found")
			}
		}
	})
	// The peer a hand-written source would be: a map behind a sync.RWMutex.
	var mu sync.RWMutex
	m := map[string]*jose.JSONWebKey{}
	for _, k := range keys {
		m[k.ID()] = k.JWK()
	}
	b.Run("RWMutex map/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.RLock()
				k := m[kid]
				mu.RUnlock()
				if k == nil {
					b.Error("not found")
					return
				}
			}
		})
	})
	b.Run("Set/unknown kid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Lookup(ctx, "forged"); err == nil {
				b.Fatal("found")
			}
		}
	})
}

func BenchmarkGenerate(b *testing.B) {
	for _, alg := range allAlgs {
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := keyset.Generate(alg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSealOpen(b *testing.B) {
	kek := testKEK(5)
	for _, alg := range []string{keyset.ES256, keyset.RS256, keyset.A256GCM} {
		k := genKey(b, alg)
		sealed, err := keyset.SealForTest(kek, "default", k)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("Seal/"+alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := keyset.SealForTest(kek, "default", k); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Open/"+alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := keyset.OpenForTest(kek, "default", k.ID(), k.Use(), alg, sealed); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The peer: raw AES-256-GCM over the same plaintext size, no key parsing.
		plain, _ := json.Marshal(k.JWK())
		blk, _ := aes.NewCipher(kek)
		g, _ := cipher.NewGCM(blk)
		nonce := make([]byte, g.NonceSize())
		ct := g.Seal(nil, nonce, plain, nil)
		b.Run("raw AES-GCM open/"+alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := g.Open(nil, nonce, ct, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkJWKSHandler(b *testing.B) {
	s := benchSet(b)
	h := s.Handler(keyset.HandlerOptions{})
	req := httptest.NewRequest(http.MethodGet, "/jwks", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	etag := rec.Header().Get("ETag")
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
		}
	})
	cond := httptest.NewRequest(http.MethodGet, "/jwks", nil)
	cond.Header.Set("If-None-Match", etag)
	b.Run("GET If-None-Match", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, cond)
			if w.Code != http.StatusNotModified {
				b.Fatal(w.Code)
			}
		}
	})
	// The peer: a handler that marshals the JWKS on every request.
	naive := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.JWKS())
	})
	b.Run("marshal per request", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			naive.ServeHTTP(w, req)
		}
	})
}

package opaque_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/oauthkit/oauthkit/internal/benchkit"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

// BenchmarkOpaque compares our Issue and Parse with a raw HMAC-SHA256 over 32 random bytes.
// The floor keys its HMAC once, as the format keeps keyed HMACs pooled, so that it measures
// the MAC itself and not the keying.
func BenchmarkOpaque(b *testing.B) {
	ctx := context.Background()
	k := formattest.FixedKey("sig", opaque.Algorithm)
	f, err := opaque.New(formattest.NewKeys(k), opaque.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rec := &provider.Record{}
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		b.Fatal(err)
	}
	secret := k.Key.([]byte)
	benchkit.Run(b, "issue/oauthkit", func() error { _, err := f.Issue(ctx, rec); return err })
	b.Run("issue/raw-hmac", func(b *testing.B) {
		b.ReportAllocs()
		var r, sum [32]byte
		h := hmac.New(sha256.New, secret)
		for b.Loop() {
			rand.Read(r[:])
			h.Reset()
			h.Write(r[:])
			h.Sum(sum[:0])
		}
	})
	benchkit.Run(b, "parse/oauthkit", func() error { _, err := f.Parse(ctx, tok.Value); return err })
	b.Run("parse/raw-hmac", func(b *testing.B) {
		b.ReportAllocs()
		var r, sum [32]byte
		want := make([]byte, 32)
		h := hmac.New(sha256.New, secret)
		for b.Loop() {
			h.Reset()
			h.Write(r[:])
			hmac.Equal(h.Sum(sum[:0]), want)
		}
	})
}

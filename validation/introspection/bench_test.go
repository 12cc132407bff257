package introspection_test

import (
	"context"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/validation/introspection"
)

// BenchmarkCachedHit measures a token whose answer is in the cache: no request is made.
func BenchmarkCachedHit(b *testing.B) {
	s := newAuthServer(b)
	tok := "opaque-token-value-0123456789abcdefghijklmnopqrstuv"
	s.add(tok, active(epoch.Add(time.Hour)))
	v := newValidator(b, s, newClock(), introspection.Options{})
	ctx := context.Background()
	if _, err := v.Validate(ctx, tok); err != nil {
		b.Fatal(err)
	}
	introspection.WaitCache(v)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
	if n := s.requests.Load(); n != 1 {
		b.Fatalf("requests = %d, want 1", n)
	}
}

// BenchmarkUncached measures a full introspection round trip over loopback HTTP.
func BenchmarkUncached(b *testing.B) {
	s := newAuthServer(b)
	tok := "opaque-token-value-0123456789abcdefghijklmnopqrstuv"
	s.add(tok, active(epoch.Add(time.Hour)))
	v := newValidator(b, s, newClock(), introspection.Options{CacheEntries: -1})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

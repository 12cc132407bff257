package main

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/validation/local"
)

// BenchmarkEd25519Sign and BenchmarkEd25519Verify are the floor: the raw signature
// operations a paseto-v4 Issue and Validate cannot avoid.
func BenchmarkEd25519Sign(b *testing.B) {
	msg := make([]byte, 300)
	for b.Loop() {
		ed25519.Sign(fuzzKey, msg)
	}
}

func BenchmarkEd25519Verify(b *testing.B) {
	msg := make([]byte, 300)
	sig := ed25519.Sign(fuzzKey, msg)
	pub := fuzzKey.Public().(ed25519.PublicKey)
	for b.Loop() {
		ed25519.Verify(pub, msg, sig)
	}
}

func benchFormat(b *testing.B) tokenformat.Format {
	f, err := NewFormat(tokenformat.Env{
		Keys:            formattest.NewKeys(&jose.JSONWebKey{Key: fuzzKey, KeyID: "fuzz", Algorithm: "EdDSA", Use: "sig"}),
		Issuer:          fuzzIssuer,
		DefaultAudience: []string{"api"},
		Now:             func() time.Time { return fuzzNow },
	})
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkIssue(b *testing.B) {
	f := benchFormat(b)
	rec := formattest.RichRecord(fuzzNow)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Issue(context.Background(), rec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	f := benchFormat(b)
	tok, err := f.Issue(context.Background(), formattest.RichRecord(fuzzNow))
	if err != nil {
		b.Fatal(err)
	}
	keys, err := local.NewStaticKeys(must(local.NewKey("fuzz", "EdDSA", fuzzKey.Public())))
	if err != nil {
		b.Fatal(err)
	}
	v, err := NewValidator(fuzzIssuer, "https://rs.example", keys, func() time.Time { return fuzzNow })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(context.Background(), tok.Value); err != nil {
			b.Fatal(err)
		}
	}
}

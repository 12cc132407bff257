package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"aidanwoods.dev/go-paseto"
	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/local"
)

// The fuzz target's fixed key and clock, so that the seeds in testdata/fuzz/FuzzValidate
// stay valid tokens.
var (
	fuzzKey    = ed25519.NewKeyFromSeed([]byte("oauthkit customtoken fuzz seed!!"))
	fuzzNow    = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	fuzzIssuer = "https://as.example"
)

// FuzzValidate feeds arbitrary tokens to the resource server's Validator and the server's
// Format, both holding the same key. Neither panics; a refusal matches ErrInvalidToken and
// never quotes the token; what the Validator accepts is from the issuer, for the audience,
// unexpired, and accepted by the Format too (the two sides agree).
func FuzzValidate(f *testing.F) {
	keys, err := local.NewStaticKeys(must(local.NewKey("fuzz", "EdDSA", fuzzKey.Public())))
	if err != nil {
		f.Fatal(err)
	}
	now := func() time.Time { return fuzzNow }
	v, err := NewValidator(fuzzIssuer, "api", keys, now)
	if err != nil {
		f.Fatal(err)
	}
	format, err := NewFormat(tokenformat.Env{
		Keys:            formattest.NewKeys(&jose.JSONWebKey{Key: fuzzKey, KeyID: "fuzz", Algorithm: "EdDSA", Use: "sig"}),
		Issuer:          fuzzIssuer,
		DefaultAudience: []string{"api"},
		Now:             now,
	})
	if err != nil {
		f.Fatal(err)
	}
	good, err := sign(&claims{
		Issuer: fuzzIssuer, Subject: "alice", Audience: []string{"api"}, ClientID: "c", Scope: "read",
		JTI: "seed", IssuedAt: fuzzNow, NotBefore: fuzzNow, ExpiresAt: fuzzNow.Add(time.Hour),
	}, "fuzz", must(paseto.NewV4AsymmetricSecretKeyFromEd25519(fuzzKey)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Fuzz(func(t *testing.T, token string) {
		ctx := context.Background()
		c, err := v.Validate(ctx, token)
		_, ferr := format.Parse(ctx, token)
		if err != nil {
			if !errors.Is(err, validation.ErrInvalidToken) {
				t.Fatalf("Validate = %v, want ErrInvalidToken", err)
			}
			if len(token) >= 16 && strings.Contains(err.Error(), token) {
				t.Fatal("the error quotes the token")
			}
			if ferr != nil && !errors.Is(ferr, tokenformat.ErrInvalidToken) && !errors.Is(ferr, tokenformat.ErrExpired) {
				t.Fatalf("Parse = %v, want ErrInvalidToken or ErrExpired", ferr)
			}
			return
		}
		if c.Issuer != fuzzIssuer || !c.HasAudience("api") || !fuzzNow.Before(c.ExpiresAt) {
			t.Fatalf("Validate accepted claims %+v", c)
		}
		if ferr != nil {
			t.Fatalf("Validate accepted a token the Format refuses: %v", ferr)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

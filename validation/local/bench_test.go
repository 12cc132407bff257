package local_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/validation/local"
)

// benchToken is an ES256 access token as tokenformat/jws would mint it, valid at epoch.
func benchToken(b *testing.B) string {
	testKeys(b)
	return mint(b, ecSigner, goodHeader(ecSigner), goodClaims())
}

// BenchmarkES256 compares, in one run, the local validator's hot path with raw go-jose
// (ParseSignedCompact + Verify, no claim checks) and with the bare signature check
// (SHA-256 of the signing input + ecdsa.VerifyASN1 of a pre-encoded signature).
func BenchmarkES256(b *testing.B) {
	tok := benchToken(b)
	ctx := context.Background()

	b.Run("local", func(b *testing.B) {
		v, _ := newValidator(b, nil)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Validate(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gojose", func(b *testing.B) {
		pub := &ecKey.PublicKey
		b.ReportAllocs()
		for b.Loop() {
			obj, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				b.Fatal(err)
			}
			payload, err := obj.Verify(pub)
			if err != nil {
				b.Fatal(err)
			}
			var c map[string]any
			if err := json.Unmarshal(payload, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		i := strings.LastIndexByte(tok, '.')
		input := tok[:i]
		sig := mustB64(b, tok[i+1:])
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		der := derOf(sig)
		if !ecdsa.Verify(&ecKey.PublicKey, sha(input), r, s) {
			b.Fatal("raw verify failed")
		}
		pub := &ecKey.PublicKey
		b.ReportAllocs()
		for b.Loop() {
			h := sha256.Sum256([]byte(input))
			if !ecdsa.VerifyASN1(pub, h[:], der) {
				b.Fatal("raw verify failed")
			}
		}
	})
}

func sha(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// BenchmarkCacheHit measures a token served from the verified-token cache.
func BenchmarkCacheHit(b *testing.B) {
	tok := benchToken(b)
	v, c := newValidator(b, &local.Options{CacheEntries: 1000, CacheMaxTTL: time.Hour})
	ctx := context.Background()
	if _, err := v.Validate(ctx, tok); err != nil {
		b.Fatal(err)
	}
	local.WaitCache(v)
	_ = c
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

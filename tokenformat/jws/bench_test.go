package jws_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/benchkit"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

// BenchmarkES256 compares, in one run, our Issue and Parse with raw go-jose signing and
// verifying the same payload, and with the raw ECDSA signature of the same signing input
// (SHA-256 included on both sides).
func BenchmarkES256(b *testing.B) {
	ctx := context.Background()
	k := formattest.FixedKey("sig", "ES256")
	priv := k.Key.(*ecdsa.PrivateKey)
	f, err := jws.New(issuer, formattest.NewKeys(k), jws.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rec := benchkit.Record(time.Now())
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		b.Fatal(err)
	}
	parts := strings.Split(tok.Value, ".")
	input := []byte(parts[0] + "." + parts[1])
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	digest := sha256.Sum256(input)
	der, _ := ecdsa.SignASN1(rand.Reader, priv, digest[:])

	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", k.KeyID))
	if err != nil {
		b.Fatal(err)
	}
	joseObj, _ := signer.Sign(payload)
	joseTok, _ := joseObj.CompactSerialize()

	benchkit.Run(b, "issue/oauthkit", func() error { _, err := f.Issue(ctx, rec); return err })
	b.Run("issue/go-jose", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, err := signer.Sign(payload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := obj.CompactSerialize(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("issue/raw-ecdsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256(input)
			if _, err := ecdsa.SignASN1(rand.Reader, priv, d[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	benchkit.Run(b, "parse/oauthkit", func() error { _, err := f.Parse(ctx, tok.Value); return err })
	b.Run("parse/go-jose", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, err := jose.ParseSignedCompact(joseTok, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := obj.Verify(&priv.PublicKey); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse/raw-ecdsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256(input)
			if !ecdsa.VerifyASN1(&priv.PublicKey, d[:], der) {
				b.Fatal("does not verify")
			}
		}
	})
}

// BenchmarkES256Interleaved measures the ratios the goals are stated in — our Issue over a
// raw ECDSA signature of the same signing input, our Parse over a raw verify — by running
// them and raw go-jose alternately, 8 operations at a time, and counting the CPU time of the thread (not wall
// time), so that load on a shared machine falls on neither side. The ns/op is of the pair;
// the ratios are the metrics issue/raw and parse/raw (benchkit.Interleave).
func BenchmarkES256Interleaved(b *testing.B) {
	ctx := context.Background()
	k := formattest.FixedKey("sig", "ES256")
	priv := k.Key.(*ecdsa.PrivateKey)
	f, err := jws.New(issuer, formattest.NewKeys(k), jws.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rec := benchkit.Record(time.Now())
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		b.Fatal(err)
	}
	parts := strings.Split(tok.Value, ".")
	input := []byte(parts[0] + "." + parts[1])
	d := sha256.Sum256(input)
	der, _ := ecdsa.SignASN1(rand.Reader, priv, d[:])

	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", k.KeyID))
	if err != nil {
		b.Fatal(err)
	}
	joseObj, _ := signer.Sign(payload)
	joseTok, _ := joseObj.CompactSerialize()

	b.Run("issue", func(b *testing.B) {
		benchkit.Interleave(b, benchkit.Contender{Name: "raw", Op: func() {
			d := sha256.Sum256(input)
			if _, err := ecdsa.SignASN1(rand.Reader, priv, d[:]); err != nil {
				b.Fatal(err)
			}
		}}, benchkit.Contender{Name: "issue", Op: func() {
			if _, err := f.Issue(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}}, benchkit.Contender{Name: "gojose-issue", Op: func() {
			obj, err := signer.Sign(payload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := obj.CompactSerialize(); err != nil {
				b.Fatal(err)
			}
		}})
	})
	b.Run("parse", func(b *testing.B) {
		benchkit.Interleave(b, benchkit.Contender{Name: "raw", Op: func() {
			d := sha256.Sum256(input)
			if !ecdsa.VerifyASN1(&priv.PublicKey, d[:], der) {
				b.Fatal("does not verify")
			}
		}}, benchkit.Contender{Name: "parse", Op: func() {
			if _, err := f.Parse(ctx, tok.Value); err != nil {
				b.Fatal(err)
			}
		}}, benchkit.Contender{Name: "gojose-parse", Op: func() {
			obj, err := jose.ParseSignedCompact(joseTok, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := obj.Verify(&priv.PublicKey); err != nil {
				b.Fatal(err)
			}
		}})
	})
}

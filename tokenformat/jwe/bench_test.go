package jwe_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/benchkit"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
)

// BenchmarkJWE compares our Issue and Parse (ES256 inside ECDH-ES+A256KW/A256GCM) with raw
// go-jose encrypting and decrypting the same signed JWT (no signing, no verification).
func BenchmarkJWE(b *testing.B) {
	ctx := context.Background()
	f := fixedFormat(b)
	rk := formattest.FixedKey("enc", "ECDH-ES+A256KW")
	now := formattest.Start
	rec := &provider.Record{ClientID: "my-client", Subject: "user-1234", GrantedScopes: []string{"openid", "profile"},
		GrantedAudience: []string{"https://api.example.com"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		b.Fatal(err)
	}
	inner := []byte("eyJhbGciOiJFUzI1NiIsImtpZCI6ImZpeGVkLUVTMjU2IiwidHlwIjoiYXQrand0In0.eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUiLCJzdWIiOiJ1c2VyLTEyMzQiLCJhdWQiOiJodHRwczovL2FwaS5leGFtcGxlLmNvbSIsImNsaWVudF9pZCI6Im15LWNsaWVudCIsInNjb3BlIjoib3BlbmlkIHByb2ZpbGUiLCJqdGkiOiJ4eHh4eHh4eHh4eHh4eHh4eHh4eHh4IiwiaWF0IjoxODkzNTU1NDQ1LCJleHAiOjE4OTM1NTkwNDV9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	pub := rk.Public()
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.ECDH_ES_A256KW, Key: pub.Key, KeyID: rk.KeyID},
		(&jose.EncrypterOptions{}).WithContentType("JWT").WithType("at+jwt"))
	if err != nil {
		b.Fatal(err)
	}
	obj, _ := enc.Encrypt(inner)
	raw, _ := obj.CompactSerialize()

	benchkit.Run(b, "issue/oauthkit", func() error { _, err := f.Issue(ctx, rec); return err })
	b.Run("issue/go-jose-encrypt-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, err := enc.Encrypt(inner)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := obj.CompactSerialize(); err != nil {
				b.Fatal(err)
			}
		}
	})
	benchkit.Run(b, "parse/oauthkit", func() error { _, err := f.Parse(ctx, tok.Value); return err })
	b.Run("parse/go-jose-decrypt-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, err := jose.ParseEncryptedCompact(raw, []jose.KeyAlgorithm{jose.ECDH_ES_A256KW}, []jose.ContentEncryption{jose.A256GCM})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := obj.Decrypt(rk.Key); err != nil {
				b.Fatal(err)
			}
		}
	})
}

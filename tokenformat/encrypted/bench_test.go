package encrypted_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/benchkit"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
)

// BenchmarkEncrypted compares, in one run, our compact AES-256-GCM envelope with a "dir" +
// A256GCM JWE of the same record as JSON (go-jose, the alternative the format was chosen
// against) and with raw AES-GCM Seal/Open of a plaintext of the same size.
func BenchmarkEncrypted(b *testing.B) {
	ctx := context.Background()
	k := formattest.FixedKey("enc", encrypted.Algorithm)
	f, err := encrypted.New(formattest.NewKeys(k), encrypted.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rec := benchkit.Record(time.Now())
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok.Value)
	plainLen := len(raw) - 2 - len(k.KeyID) - 12 - 16
	plain := make([]byte, plainLen)
	block, _ := aes.NewCipher(k.Key.([]byte))
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	sealed := aead.Seal(nil, nonce, plain, nil)

	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.DIRECT, Key: k.Key, KeyID: k.KeyID}, nil)
	if err != nil {
		b.Fatal(err)
	}
	js, _ := json.Marshal(rec)
	obj, _ := enc.Encrypt(js)
	jweTok, _ := obj.CompactSerialize()
	b.Logf("token sizes: envelope %d bytes, dir JWE %d bytes", len(tok.Value), len(jweTok))

	b.Run("issue/oauthkit", func(b *testing.B) {
		b.ReportAllocs()
		cpu := benchkit.Meter(b)
		for b.Loop() {
			if _, err := f.Issue(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}
		cpu()
	})
	b.Run("issue/go-jose-dir-A256GCM", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			js, err := json.Marshal(rec)
			if err != nil {
				b.Fatal(err)
			}
			obj, err := enc.Encrypt(js)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := obj.CompactSerialize(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("issue/raw-aes-gcm", func(b *testing.B) {
		b.ReportAllocs()
		out := make([]byte, 0, plainLen+16)
		for b.Loop() {
			rand.Read(nonce)
			out = aead.Seal(out[:0], nonce, plain, nil)
		}
	})
	b.Run("parse/oauthkit", func(b *testing.B) {
		b.ReportAllocs()
		cpu := benchkit.Meter(b)
		for b.Loop() {
			if _, err := f.Parse(ctx, tok.Value); err != nil {
				b.Fatal(err)
			}
		}
		cpu()
	})
	b.Run("parse/go-jose-dir-A256GCM", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			obj, err := jose.ParseEncryptedCompact(jweTok, []jose.KeyAlgorithm{jose.DIRECT}, []jose.ContentEncryption{jose.A256GCM})
			if err != nil {
				b.Fatal(err)
			}
			js, err := obj.Decrypt(k.Key)
			if err != nil {
				b.Fatal(err)
			}
			var r provider.Record
			if err := json.Unmarshal(js, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse/raw-aes-gcm", func(b *testing.B) {
		b.ReportAllocs()
		out := make([]byte, 0, plainLen)
		for b.Loop() {
			var err error
			if out, err = aead.Open(out[:0], make([]byte, 12), sealed, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

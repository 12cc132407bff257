package clientsecret_test

import (
	"context"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
)

// BenchmarkVerify measures one client-secret check per scheme, as a token endpoint does on
// every request. bcrypt cost 12 is fosite's default (fosite.DefaultBCryptWorkFactor).
func BenchmarkVerify(b *testing.B) {
	secret, _ := clientsecret.Generate()
	fast, _ := clientsecret.Hash(secret)
	b.Run("sha256", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := clientsecret.Verify(fast, secret); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, cost := range []int{10, 12} {
		enc, err := clientsecret.HashUserChosen(secret[:32], cost)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("bcrypt-"+itoa(cost), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := clientsecret.Verify(enc, secret[:32]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The peer: raw x/crypto/bcrypt as fosite's BCrypt hasher calls it, at fosite's default.
	raw, _ := bcrypt.GenerateFromPassword([]byte(secret[:32]), 12)
	b.Run("raw-bcrypt-12", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := bcrypt.CompareHashAndPassword(raw, []byte(secret[:32])); err != nil {
				b.Fatal(err)
			}
		}
	})
	h := clientsecret.Hasher{}
	fastb := []byte(fast)
	secretb := []byte(secret)
	b.Run("hasher-sha256", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		for b.Loop() {
			if err := h.Compare(ctx, fastb, secretb); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func itoa(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

// BenchmarkMemoHit is a bcrypt (cost 12) client's check once the Memo has seen its secret:
// what every token request after the first costs such a client.
func BenchmarkMemoHit(b *testing.B) {
	hash, err := clientsecret.HashUserChosen("a person-chosen secret", clientsecret.DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	m := clientsecret.NewMemo(clientsecret.MemoOptions{})
	if err := m.Verify(hash, "a person-chosen secret"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Verify(hash, "a person-chosen secret"); err != nil {
			b.Fatal(err)
		}
	}
}

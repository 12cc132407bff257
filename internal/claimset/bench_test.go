package claimset_test

import (
	"testing"

	"github.com/oauthkit/oauthkit/internal/claimset"
)

// benchClaims is the claim set of a typical RFC 9068 access token.
var benchClaims = []byte(`{"iss":"https://as.example","sub":"alice","aud":"https://rs.example","client_id":"c1","scope":"read write","jti":"Q2x0b2tlbl9qdGlfMTIzNDU2","iat":1900000000,"exp":1900003600,"auth_time":1899999940,"acr":"2"}`)

func BenchmarkParse(b *testing.B) {
	b.Run("claimset", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s claimset.Set
			if err := s.Parse(benchClaims, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := referenceParse(benchClaims); err != nil {
				b.Fatal(err)
			}
		}
	})
}

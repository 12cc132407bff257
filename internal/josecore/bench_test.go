package josecore_test

import (
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// The hand-written pieces of the core against the library alternative, per token. The
// figures go into BENCHMARKS.md ("JOSE core (issue 10)").

var benchHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"YQMMPVHEOBEZ72QW","pst":"record","typ":"at+jwt"}`))

func BenchmarkHeader(b *testing.B) {
	b.Run("josecore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := josecore.ParseHeader(benchHeader, "pst"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		// What the parser replaces: decode, unmarshal into a map to see every member (crit,
		// jku, … must be refused whatever their value), then read the strings.
		b.ReportAllocs()
		for b.Loop() {
			js, err := base64.RawURLEncoding.Strict().DecodeString(benchHeader)
			if err != nil {
				b.Fatal(err)
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(js, &m); err != nil {
				b.Fatal(err)
			}
			for _, refused := range []string{"crit", "jku", "jwk", "x5u", "x5c", "b64", "zip"} {
				if _, ok := m[refused]; ok {
					b.Fatal(refused)
				}
			}
			var alg, kid, typ, pst string
			for name, dst := range map[string]*string{"alg": &alg, "kid": &kid, "typ": &typ, "pst": &pst} {
				if raw, ok := m[name]; ok {
					if err := json.Unmarshal(raw, dst); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
}

func BenchmarkDER(b *testing.B) {
	r := new(big.Int).Lsh(big.NewInt(1), 255)
	s := new(big.Int).Lsh(big.NewInt(3), 200)
	der, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	s.FillBytes(raw[32:])
	b.Run("raw-to-der/josecore", func(b *testing.B) {
		b.ReportAllocs()
		var buf [2*66 + 16]byte
		for b.Loop() {
			_ = josecore.AppendDER(buf[:0], raw[:32], raw[32:])
		}
	})
	b.Run("raw-to-der/encoding-asn1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:32]), new(big.Int).SetBytes(raw[32:])}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("der-to-raw/josecore", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := josecore.RawFromDER(der, 32); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("der-to-raw/encoding-asn1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var sig struct{ R, S *big.Int }
			if _, err := asn1.Unmarshal(der, &sig); err != nil {
				b.Fatal(err)
			}
			out := make([]byte, 64)
			sig.R.FillBytes(out[:32])
			sig.S.FillBytes(out[32:])
		}
	})
}

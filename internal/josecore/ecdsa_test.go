package josecore_test

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// TestECDSAConversionEdgeCases converts signatures whose r or s is short, zero-padded or has
// its top bit set between ASN.1 DER and the fixed-width r||s of RFC 7518 §3.4, both ways.
func TestECDSAConversionEdgeCases(t *testing.T) {
	one := big.NewInt(1)
	top := new(big.Int).Lsh(one, 255)     // top bit set: DER needs a 0x00 pad
	short := new(big.Int).Lsh(one, 200)   // 26 bytes: raw form needs left padding
	p384top := new(big.Int).Lsh(one, 383) // P-384, top bit set
	for _, tc := range []struct {
		name string
		r, s *big.Int
		n    int
	}{
		{"r=1 s=1", one, one, 32},
		{"top bits set", top, top, 32},
		{"short r", short, top, 32},
		{"short s", top, short, 32},
		{"P-384 top bits", p384top, p384top, 48},
		{"P-384 short", short, p384top, 48},
	} {
		t.Run(tc.name, func(t *testing.T) {
			der, err := asn1.Marshal(struct{ R, S *big.Int }{tc.r, tc.s})
			if err != nil {
				t.Fatal(err)
			}
			raw, err := josecore.RawFromDER(der, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]byte, 2*tc.n)
			tc.r.FillBytes(want[:tc.n])
			tc.s.FillBytes(want[tc.n:])
			if !bytes.Equal(raw, want) {
				t.Errorf("raw = %x, want %x", raw, want)
			}
			if back := josecore.AppendDER(nil, raw[:tc.n], raw[tc.n:]); !bytes.Equal(back, der) {
				t.Errorf("DER = %x, want %x", back, der)
			}
		})
	}
	for _, bad := range [][]byte{nil, {0x30}, {0x30, 0x03, 0x02, 0x01}, {0x31, 0x00}, {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00}} {
		if _, err := josecore.RawFromDER(bad, 32); err == nil {
			t.Errorf("RawFromDER(%x) succeeded", bad)
		}
	}
}

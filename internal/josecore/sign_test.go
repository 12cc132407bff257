package josecore_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/hex"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/internal/josecore"
)

// ES256 signatures are deterministic ECDSA: the RFC 6979 §A.2.5 test vectors (P-256,
// SHA-256), as raw r||s.
func TestES256SignatureIsRFC6979Deterministic(t *testing.T) {
	d, _ := hex.DecodeString("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		t.Fatal(err)
	}
	k := &jose.JSONWebKey{Key: priv, KeyID: "rfc6979", Algorithm: "ES256", Use: "sig"}
	tests := []struct{ msg, r, s string }{
		{"sample", "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716", "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
		{"test", "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367", "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"},
	}
	for _, tt := range tests {
		signer, err := josecore.NewSigner(jose.ES256, k)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := signer.Sign([]byte(tt.msg))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hex.EncodeToString(sig), tt.r+tt.s; got != hex.EncodeToString(mustHex(t, want)) {
			t.Errorf("sign(%q) = %s, want %s", tt.msg, got, want)
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

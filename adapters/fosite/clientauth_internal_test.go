package fositeadapter

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// TestInlineClientKeysAreParsedOncePublicOnly: the same inline JWKS is decoded once, its
// private members never reach the verifier, and a set that is not a key set is an error.
func TestInlineClientKeysAreParsedOncePublicOnly(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: priv, KeyID: "k1", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	var k keyCache
	first, err := k.parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	again, err := k.parse(append([]byte(nil), raw...))
	if err != nil || again != first {
		t.Fatalf("second parse: %p %v, want the cached %p", again, err, first)
	}
	if len(first.Keys) != 1 || !first.Keys[0].IsPublic() {
		t.Fatalf("keys = %+v, want the one key, public only", first.Keys)
	}
	for _, bad := range []string{`[]`, `{"keys":"x"}`, `{"keys":[{"kty":"oct","k":"AAAA"}]}`} {
		if _, err := k.parse([]byte(bad)); err == nil {
			t.Errorf("%s parsed as a key set", bad)
		}
	}
}

package formattest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat"
)

// FixedKey returns a deterministic key for use and alg (ES256, ECDH-ES+A256KW, HS256 or
// A256GCM) with kid "fixed-<alg>", so that fuzz seed corpora hold tokens that verify. Never
// use it outside tests.
func FixedKey(use, alg string) *jose.JSONWebKey {
	seed := sha256.Sum256([]byte("oauthkit formattest fixed key " + alg))
	var key any
	switch alg {
	case "ES256", "ECDH-ES+A256KW":
		k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), seed[:])
		if err != nil {
			panic(err)
		}
		key = k
	case "HS256", "A256GCM":
		key = seed[:]
	default:
		panic("formattest: FixedKey: unsupported alg " + alg)
	}
	return &jose.JSONWebKey{Key: key, KeyID: "fixed-" + alg, Use: use, Algorithm: alg}
}

// CheckParse is the body of a format's fuzz target: Parse of any input must not panic, must
// fail only with ErrInvalidToken or ErrExpired without quoting the token, and an accepted
// token must parse again to the same Key.
func CheckParse(t *testing.T, f tokenformat.Format, token string) {
	t.Helper()
	ctx := context.Background()
	tok, err := f.Parse(ctx, token)
	if err != nil {
		if !errors.Is(err, tokenformat.ErrInvalidToken) && !errors.Is(err, tokenformat.ErrExpired) {
			t.Fatalf("Parse error %v matches neither ErrInvalidToken nor ErrExpired", err)
		}
		if len(token) >= 16 && strings.Contains(err.Error(), token) {
			t.Fatal("the error string quotes the token")
		}
		return
	}
	if tok.Key == "" || tok.Key == token {
		t.Fatalf("accepted token has Key %q", tok.Key)
	}
	again, err := f.Parse(ctx, token)
	if err != nil || again.Key != tok.Key {
		t.Fatalf("second Parse = %v, %v; want Key %q", again.Key, err, tok.Key)
	}
}

package keyset_test

import (
	"context"
	"testing"

	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	kek := make([]byte, 32)
	s, err := keyset.New(ctx, newKeyStore(), "default", kek, keyset.Options{Algorithms: []string{keyset.ES256, keyset.RS256, keyset.A256GCM, keyset.HS256, keyset.EdDSA, keyset.ECDHESA256KW, keyset.RSAOAEP256, keyset.PS256, keyset.ES384}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	k, err := s.Active(ctx, "sig", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(ctx, k.KeyID); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d keys, %d published", len(s.Keys()), len(s.JWKS().Keys))
}

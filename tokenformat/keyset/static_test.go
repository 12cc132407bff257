package keyset_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func TestStaticFirstKeyOfEachAlgorithmSigns(t *testing.T) {
	ctx := context.Background()
	a, _ := keyset.Generate(keyset.ES256)
	b, _ := keyset.Generate(keyset.ES256)
	h := genKey(t, keyset.HS256)
	s, err := keyset.NewStatic(a, b, h)
	if err != nil {
		t.Fatal(err)
	}
	if activeKID(t, s, "sig", keyset.ES256) != a.ID() || activeKID(t, s, "sig", keyset.HS256) != h.ID() {
		t.Fatal("first key of each algorithm is not active")
	}
	for _, k := range []*keyset.Key{a, b, h} {
		got, err := s.Lookup(ctx, k.ID())
		if err != nil || got.KeyID != k.ID() {
			t.Fatalf("Lookup(%s): %v", k.ID(), err)
		}
	}
	if _, err := s.Lookup(ctx, "nope"); !errors.Is(err, tokenformat.ErrUnknownKey) {
		t.Fatalf("unknown kid: %v", err)
	}
	if len(s.JWKS().Keys) != 2 {
		t.Fatalf("JWKS has %d keys, want the two EC keys", len(s.JWKS().Keys))
	}
	token := signWith(t, s)
	if err := verifyWith(s, token); err != nil {
		t.Fatal(err)
	}
}

func TestStaticExplicitStates(t *testing.T) {
	a, _ := keyset.Generate(keyset.ES256)
	b, _ := keyset.Generate(keyset.ES256)
	s, err := keyset.NewStatic(a, b.WithState(provider.KeyActive))
	if err != nil {
		t.Fatal(err)
	}
	if activeKID(t, s, "sig", keyset.ES256) != b.ID() {
		t.Fatal("explicitly active key does not sign")
	}
	if _, err := keyset.NewStatic(a.WithState(provider.KeyActive), b.WithState(provider.KeyActive)); err == nil {
		t.Fatal("two active keys accepted")
	}
	if _, err := keyset.NewStatic(a, a); !errors.Is(err, keyset.ErrDuplicateKeyID) {
		t.Fatalf("duplicate kid: %v", err)
	}
}

// A resource server builds a Static source from the authorization server's published JWKS
// and verifies its tokens.
func TestStaticFromPublishedJWKSVerifiesTheSetsTokens(t *testing.T) {
	ctx := context.Background()
	set := newSet(t, newKeyStore(t), newClock(), keyset.Options{Algorithms: []string{keyset.ES256, keyset.RSAOAEP256}})
	if err := set.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	set.Handler(keyset.HandlerOptions{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	keys, err := keyset.ParseJWKS(rec.Body.Bytes(), "", keyset.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := keyset.NewStatic(keys...)
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyWith(rs, signWith(t, set)); err != nil {
		t.Fatal(err)
	}
	// The published encryption key encrypts to the set, which decrypts.
	enc, err := rs.Active(ctx, "enc", keyset.RSAOAEP256)
	if err != nil {
		t.Fatal(err)
	}
	if !enc.IsPublic() {
		t.Fatal("a public source handed out private material")
	}
	priv, err := set.Lookup(ctx, enc.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, keyset.RSAOAEP256, priv, enc)
	if string(mustJSON(t, rs.JWKS())) == "" {
		t.Fatal()
	}
	var again struct{ Keys []json.RawMessage }
	_ = json.Unmarshal(mustJSON(t, rs.JWKS()), &again)
	if len(again.Keys) != len(keys) {
		t.Fatal("Static JWKS lost keys")
	}
}

func TestStaticHandlerServesItsPublicKeys(t *testing.T) {
	es := genKey(t, keyset.ES256)
	s, err := keyset.NewStatic(es, genKey(t, keyset.A256GCM))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler(keyset.HandlerOptions{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	keys, err := keyset.ParseJWKS(rec.Body.Bytes(), "", keyset.LoadOptions{})
	if err != nil || len(keys) != 1 || keys[0].ID() != es.ID() || keys[0].Private() {
		t.Fatalf("served %s (%v)", rec.Body.Bytes(), err)
	}
}

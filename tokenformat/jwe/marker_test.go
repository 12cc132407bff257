package jwe_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jwe"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

// TestEachPersistenceModeRecognizesOnlyItsOwnTokens proves that jwe formats of different
// persistence modes sharing recipients tell their tokens apart from the header alone, that
// Parse agrees with Recognize, and that a token without the marker belongs to StoreRecord.
func TestEachPersistenceModeRecognizesOnlyItsOwnTokens(t *testing.T) {
	ctx := context.Background()
	rk := key(t, "enc", "ECDH-ES+A256KW")
	modes := []tokenformat.Persistence{tokenformat.StoreRecord, tokenformat.StoreNothing, tokenformat.StoreTokenOnly}
	formats := map[tokenformat.Persistence]*jwe.Format{}
	for _, p := range modes {
		f, err := jwe.New(newInner(t, "ES256", nil), jwe.Options{
			Recipient:   func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return public(rk), nil },
			Decryption:  formattest.NewKeys(rk),
			Persistence: p,
		})
		if err != nil {
			t.Fatal(err)
		}
		formats[p] = f
	}
	now := time.Now()
	rec := &provider.Record{ClientID: "c", GrantedAudience: []string{"rs"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, issuedBy := range modes {
		tok, err := formats[issuedBy].Issue(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		if h := header(t, tok.Value); h[jws.MarkerHeader] != issuedBy.String() {
			t.Errorf("%s token header %s = %v", issuedBy, jws.MarkerHeader, h[jws.MarkerHeader])
		}
		for _, p := range modes {
			want := p == issuedBy
			if got := formats[p].Recognize(tok.Value); got != want {
				t.Errorf("%s format recognizes a %s token: %v, want %v", p, issuedBy, got, want)
			}
			if _, err := formats[p].Parse(ctx, tok.Value); (err == nil) != want {
				t.Errorf("%s format parses a %s token: err = %v", p, issuedBy, err)
			}
		}
	}

	// A token encrypted without the marker, as Issue did before it existed.
	signed, err := newInner(t, "ES256", nil).Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := jose.NewEncrypter(jwe.ContentEncryption, jose.Recipient{Algorithm: jose.ECDH_ES_A256KW, Key: public(rk).Key, KeyID: rk.KeyID},
		(&jose.EncrypterOptions{}).WithType(jws.Type).WithContentType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte(signed.Value))
	if err != nil {
		t.Fatal(err)
	}
	old, _ := obj.CompactSerialize()
	for _, p := range modes {
		want := p == tokenformat.StoreRecord
		if got := formats[p].Recognize(old); got != want {
			t.Errorf("%s format recognizes an unmarked token: %v, want %v", p, got, want)
		}
		if _, err := formats[p].Parse(ctx, old); (err == nil) != want {
			t.Errorf("%s format parses an unmarked token: err = %v", p, err)
		}
	}
}

package fositeadapter_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/ory/fosite"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// unrecognizing is a custom format without a Recognizer that counts the tokens it is asked
// to parse and accepts none.
type unrecognizing struct{ parsed atomic.Int32 }

func (*unrecognizing) Name() string                         { return "custom" }
func (*unrecognizing) Persistence() tokenformat.Persistence { return tokenformat.StoreRecord }
func (*unrecognizing) Issue(context.Context, *provider.Record) (tokenformat.Token, error) {
	return tokenformat.Token{}, errors.New("custom: not issuing")
}
func (u *unrecognizing) Parse(context.Context, string) (tokenformat.Token, error) {
	u.parsed.Add(1)
	return tokenformat.Token{}, tokenformat.ErrInvalidToken
}

// TestTokensGoToTheFormatThatRecognisesThemAndCustomFormatsGetOnlyTheRest: a token a
// built-in format recognises is never handed to a custom format without a Recognizer; a
// token no format recognises is.
func TestTokensGoToTheFormatThatRecognisesThemAndCustomFormatsGetOnlyTheRest(t *testing.T) {
	fx := newFixture(t, tokenformat.StoreRecord)
	custom := &unrecognizing{}
	a, err := fositeadapter.New(fx.store, &fosite.Config{GlobalSecret: make([]byte, 32)}, fositeadapter.Options{
		Formats: []tokenformat.Format{fx.formats["jws"], fx.formats["opaque"], custom},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := newRequest("web")
	token, sig, err := a.GenerateAccessToken(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateAccessTokenSession(ctx, sig, r.Sanitize(nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetAccessTokenSession(ctx, a.AccessTokenSignature(ctx, token), fositeadapter.NewSession("")); err != nil {
		t.Fatalf("the jws token does not read back: %v", err)
	}
	if n := custom.parsed.Load(); n != 0 {
		t.Fatalf("the custom format parsed a recognised token %d times", n)
	}
	for _, unknown := range []string{"not-a-token", "a.b", "x.y.z.w.v.u"} {
		if _, err := a.GetAccessTokenSession(ctx, unknown, fositeadapter.NewSession("")); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("%q: %v, want not found", unknown, err)
		}
	}
	if n := custom.parsed.Load(); n != 3 {
		t.Errorf("the custom format parsed %d unrecognised tokens, want 3", n)
	}
}

// TestCreateAccessTokenSessionStoresOnlyWhatGenerateAccessTokenIssued: the signature fosite
// passes between the two is a storage key, not state: a signature that is not the one just
// issued for the request's session stores nothing.
func TestCreateAccessTokenSessionStoresOnlyWhatGenerateAccessTokenIssued(t *testing.T) {
	fx := newFixture(t, tokenformat.StoreRecord)
	ctx := context.Background()
	r := newRequest("web")
	if err := fx.adapter.CreateAccessTokenSession(ctx, "\x00oauthkit\x000\x00key", r); err == nil {
		t.Error("a signature GenerateAccessToken never issued was stored")
	}
	_, sig, err := fx.adapter.GenerateAccessToken(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.adapter.CreateAccessTokenSession(ctx, sig+"x", r); err == nil {
		t.Error("a signature other than the one issued was stored")
	}
	if err := fx.adapter.CreateAccessTokenSession(ctx, sig, r); err != nil {
		t.Fatalf("the issued token: %v", err)
	}
	if err := fx.adapter.CreateAccessTokenSession(ctx, sig, r); err == nil {
		t.Error("one issued token was stored twice")
	}
	if _, err := fx.store.Token(ctx, provider.AccessToken, sig); err != nil {
		t.Errorf("the issued token's record: %v", err)
	}
}

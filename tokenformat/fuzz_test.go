package tokenformat_test

import (
	"context"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jwe"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

// fixedChooser holds the four formats over formattest's fixed keys and clock, so that the
// seed corpus in testdata holds tokens of each that verify.
func fixedChooser(tb testing.TB) *tokenformat.Chooser {
	tb.Helper()
	now := formattest.NewClock(formattest.Start).Now
	rk := formattest.FixedKey("enc", "ECDH-ES+A256KW")
	src := formattest.NewKeys(formattest.FixedKey("sig", "ES256"), formattest.FixedKey("sig", "HS256"),
		formattest.FixedKey("enc", "A256GCM"), rk)
	op, err := opaque.New(src, opaque.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	enc, err := encrypted.New(src, encrypted.Options{Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	js, err := jws.New(issuer, src, jws.Options{Now: now})
	if err != nil {
		tb.Fatal(err)
	}
	pub := rk.Public()
	je, err := jwe.New(js, jwe.Options{
		Recipient:  func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return &pub, nil },
		Decryption: src,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return &tokenformat.Chooser{Default: js, ByName: map[string]tokenformat.Format{
		op.Name(): op, enc.Name(): enc, je.Name(): je,
	}}
}

// chooserFormat adapts a Chooser to tokenformat.Format for formattest.CheckParse.
type chooserFormat struct{ *tokenformat.Chooser }

func (c chooserFormat) Name() string                         { return "chooser" }
func (c chooserFormat) Persistence() tokenformat.Persistence { return tokenformat.StoreRecord }
func (c chooserFormat) Issue(ctx context.Context, rec *provider.Record) (tokenformat.Token, error) {
	return c.Default.Issue(ctx, rec)
}
func (c chooserFormat) Parse(ctx context.Context, token string) (tokenformat.Token, error) {
	_, tok, err := c.Chooser.Parse(ctx, token)
	return tok, err
}

// FuzzChooserParse checks Chooser.Parse, which hands untrusted tokens to every format, on
// any input.
func FuzzChooserParse(f *testing.F) {
	c := chooserFormat{fixedChooser(f)}
	for _, g := range formattest.Garbage {
		f.Add(g)
	}
	f.Fuzz(func(t *testing.T, token string) { formattest.CheckParse(t, c, token) })
}

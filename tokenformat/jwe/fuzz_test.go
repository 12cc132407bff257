package jwe_test

import (
	"context"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jwe"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

// fixedFormat is the jwe format over formattest's fixed keys and clock.
func fixedFormat(tb testing.TB) *jwe.Format {
	inner, err := jws.New(issuer, formattest.NewKeys(formattest.FixedKey("sig", "ES256")),
		jws.Options{Now: formattest.NewClock(formattest.Start).Now})
	if err != nil {
		tb.Fatal(err)
	}
	rk := formattest.FixedKey("enc", "ECDH-ES+A256KW")
	pub := rk.Public()
	f, err := jwe.New(inner, jwe.Options{
		Recipient:  func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return &pub, nil },
		Decryption: formattest.NewKeys(rk),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// FuzzJWEParse checks Parse on any input; the corpus in testdata holds tokens made with
// formattest's fixed keys at formattest.Start, which the fuzzer's clock reads.
func FuzzJWEParse(f *testing.F) {
	format := fixedFormat(f)
	for _, g := range formattest.Garbage {
		f.Add(g)
	}
	f.Fuzz(func(t *testing.T, token string) { formattest.CheckParse(t, format, token) })
}

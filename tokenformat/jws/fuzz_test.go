package jws_test

import (
	"testing"

	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
)

// FuzzJWSParse checks Parse on any input; the corpus in testdata holds tokens signed with
// formattest.FixedKey at formattest.Start, which the fuzzer's clock reads.
func FuzzJWSParse(f *testing.F) {
	format, err := jws.New(issuer, formattest.NewKeys(formattest.FixedKey("sig", "ES256")),
		jws.Options{Now: formattest.NewClock(formattest.Start).Now})
	if err != nil {
		f.Fatal(err)
	}
	for _, g := range formattest.Garbage {
		f.Add(g)
	}
	f.Fuzz(func(t *testing.T, token string) { formattest.CheckParse(t, format, token) })
}

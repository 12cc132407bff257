package opaque_test

import (
	"testing"

	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

// FuzzOpaqueParse checks Parse on any input; the corpus in testdata holds tokens made with
// formattest.FixedKey, so the fuzzer starts from tokens that verify.
func FuzzOpaqueParse(f *testing.F) {
	format, err := opaque.New(formattest.NewKeys(formattest.FixedKey("sig", opaque.Algorithm)), opaque.Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, g := range formattest.Garbage {
		f.Add(g)
	}
	f.Fuzz(func(t *testing.T, token string) { formattest.CheckParse(t, format, token) })
}

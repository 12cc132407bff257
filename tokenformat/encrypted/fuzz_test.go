package encrypted_test

import (
	"testing"

	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
)

// FuzzEncryptedParse checks Parse on any input; the corpus in testdata holds tokens sealed
// with formattest.FixedKey at formattest.Start, which the fuzzer's clock reads.
func FuzzEncryptedParse(f *testing.F) {
	format, err := encrypted.New(formattest.NewKeys(formattest.FixedKey("enc", encrypted.Algorithm)),
		encrypted.Options{Now: formattest.NewClock(formattest.Start).Now})
	if err != nil {
		f.Fatal(err)
	}
	for _, g := range formattest.Garbage {
		f.Add(g)
	}
	f.Fuzz(func(t *testing.T, token string) { formattest.CheckParse(t, format, token) })
}

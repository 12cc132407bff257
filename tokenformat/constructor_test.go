package tokenformat_test

import (
	"testing"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

func TestPrebuiltReturnsItsFormatWhateverTheEnv(t *testing.T) {
	key, err := formattest.NewKey("sig", "HS256")
	if err != nil {
		t.Fatal(err)
	}
	f, err := opaque.New(formattest.NewKeys(key), opaque.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []tokenformat.Env{{}, {Issuer: "https://as.example", Keys: formattest.NewKeys()}} {
		got, err := tokenformat.Prebuilt(f)(env)
		if err != nil {
			t.Fatalf("Prebuilt(f)(%+v): %v", env, err)
		}
		if got != tokenformat.Format(f) {
			t.Errorf("Prebuilt(f)(%+v) = %v, want f", env, got)
		}
	}
}

package tokenformat_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
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

// A Constructor builds a format from what the server has: here a JWS format signing with
// the server's own keys, for its issuer and clock. compose.New calls it once its key set
// exists (compose.Config.CustomFormats).
func ExampleConstructor() {
	var build tokenformat.Constructor = func(env tokenformat.Env) (tokenformat.Format, error) {
		return jws.New(env.Issuer, env.Keys, jws.Options{DefaultAudience: env.DefaultAudience, Now: env.Now})
	}

	key, _ := formattest.NewKey("sig", "ES256")
	f, err := build(tokenformat.Env{
		Keys:            formattest.NewKeys(key), // compose passes the server's key set
		Issuer:          "https://as.example",
		DefaultAudience: []string{"https://as.example"},
		Now:             time.Now,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Name(), f.Persistence())
	// Output: jws record
}

package opaque_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

// The adapter stores the record under tok.Key and, on a request, looks it up by the Key
// that Parse returns.
func Example() {
	key, err := keyset.Generate(keyset.HS256)
	if err != nil {
		panic(err)
	}
	keys, err := keyset.NewStatic(key)
	if err != nil {
		panic(err)
	}
	format, err := opaque.New(keys, opaque.Options{})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	tok, err := format.Issue(ctx, &provider.Record{ClientID: "app"})
	if err != nil {
		panic(err)
	}
	got, err := format.Parse(ctx, tok.Value)
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(tok.Value, "okat_"), got.Key == tok.Key, got.Record == nil)
	// Output: true true true
}

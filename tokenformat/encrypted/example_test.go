package encrypted_test

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// Issue and read an encrypted-state token; revoking it means denying tok.Key until expiry.
func Example() {
	key, err := keyset.Generate(keyset.A256GCM)
	if err != nil {
		panic(err)
	}
	keys, err := keyset.NewStatic(key)
	if err != nil {
		panic(err)
	}
	format, err := encrypted.New(keys, encrypted.Options{})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	tok, err := format.Issue(ctx, &provider.Record{
		Kind: provider.AccessToken, GrantID: "g1", ClientID: "app", Subject: "alice",
		GrantedScopes: []string{"read"}, ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		panic(err)
	}
	got, err := format.Parse(ctx, tok.Value)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Record.Subject, got.Record.GrantID, format.Persistence())
	// Output: alice g1 nothing
}

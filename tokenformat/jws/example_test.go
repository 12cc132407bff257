package jws_test

import (
	"context"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// A client_credentials token: no resource owner, so sub is the client (RFC 9068 §2.2).
func Example() {
	key, err := keyset.Generate(keyset.ES256)
	if err != nil {
		panic(err)
	}
	keys, err := keyset.NewStatic(key)
	if err != nil {
		panic(err)
	}
	format, err := jws.New("https://as.example", keys, jws.Options{})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	tok, err := format.Issue(ctx, &provider.Record{
		ClientID:        "billing-service",
		GrantedScopes:   []string{"invoices:read"},
		GrantedAudience: []string{"https://api.example"},
		ExpiresAt:       time.Now().Add(5 * time.Minute),
	})
	if err != nil {
		panic(err)
	}
	got, err := format.Parse(ctx, tok.Value)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Record.Subject, got.Record.GrantedScopes, got.Key == tok.Key)
	// Output: billing-service [invoices:read] true
}

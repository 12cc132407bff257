package sqlstore_test

import (
	"context"
	"fmt"
	"log"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/sqlstore"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/sqlite" // links the SQLite driver
)

// Open an in-memory SQLite store, create its schema, register a client and read it back.
func Example() {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, "sqlite://:memory:", sqlstore.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	err = s.CreateClient(ctx, &provider.Client{
		ID:                      "shop",
		Name:                    "Example shop",
		RedirectURIs:            []string{"https://shop.example.com/cb"},
		GrantTypes:              []string{"authorization_code", "refresh_token"},
		TokenEndpointAuthMethod: provider.AuthPrivateKeyJWT,
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := s.Client(ctx, "shop")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Name, c.RedirectURIs)
	// Output: Example shop [https://shop.example.com/cb]
}

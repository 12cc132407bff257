package cache_test

import (
	"context"
	"fmt"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/cache"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

func ExampleNew() {
	ctx := context.Background()
	base := memstore.New(memstore.Options{})
	defer base.Close()
	store, err := cache.New(base, cache.Options{}) // 32 MiB, entries live a minute
	if err != nil {
		panic(err)
	}
	defer store.Close()

	_ = store.CreateClient(ctx, &provider.Client{ID: "app", Name: "Example"})
	c, _ := store.Client(ctx, "app") // read from memstore, then cached
	c, _ = store.Client(ctx, "app")  // served from memory
	fmt.Println(c.Name)

	// Optional capabilities of the wrapped store stay reachable.
	_, ok := provider.As[provider.Collector](store)
	fmt.Println(ok)
	// Output:
	// Example
	// true
}

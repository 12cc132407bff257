package redisstore_test

import (
	"context"
	"log"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/redisstore"
)

func ExampleOpen() {
	ctx := context.Background()
	// A Cluster: "redis+cluster://10.0.0.1:7000,10.0.0.2:7000"; a Sentinel-managed primary:
	// "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster/0".
	store, err := redisstore.Open(ctx, "redis://127.0.0.1:6379/0", redisstore.Options{Prefix: "auth"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	code := &provider.Record{Kind: provider.AuthorizationCode, Key: "hmac-tag-of-the-code",
		GrantID: "grant-1", ClientID: "app", ExpiresAt: time.Now().Add(time.Minute)}
	if err := store.CreateToken(ctx, code); err != nil {
		log.Fatal(err)
	}
	// One round trip; exactly one of any number of concurrent callers succeeds.
	if _, err := store.RedeemCode(ctx, code.Key); err != nil {
		log.Fatal(err)
	}
}

package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

// An authorization code is redeemed once; presenting it again deletes what the first
// redemption produced and returns ErrAlreadyUsed with the code's record.
func Example() {
	ctx := context.Background()
	s := memstore.New(memstore.Options{})
	defer s.Close()

	exp := time.Now().Add(10 * time.Minute)
	code := &provider.Record{Kind: provider.AuthorizationCode, Key: "tag-of-code", GrantID: "grant-1", ClientID: "app", ExpiresAt: exp}
	if err := s.CreateToken(ctx, code); err != nil {
		fmt.Println(err)
		return
	}

	r, err := s.RedeemCode(ctx, "tag-of-code")
	fmt.Println("first:", r.ClientID, err)
	access := &provider.Record{Kind: provider.AccessToken, Key: "tag-of-access", GrantID: r.GrantID, ExpiresAt: exp}
	if err := s.CreateToken(ctx, access); err != nil {
		fmt.Println(err)
		return
	}

	r, err = s.RedeemCode(ctx, "tag-of-code")
	fmt.Println("again:", r.GrantID, errors.Is(err, provider.ErrAlreadyUsed))
	_, err = s.Token(ctx, provider.AccessToken, "tag-of-access")
	fmt.Println("access token:", errors.Is(err, provider.ErrNotFound))
	// Output:
	// first: app <nil>
	// again: grant-1 true
	// access token: true
}

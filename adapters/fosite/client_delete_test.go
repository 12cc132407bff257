package fositeadapter_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ory/fosite"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// A deleted client's access tokens stop validating in every persistence mode (RFC 7592
// §2.3): the store deletes stored records, and a stateless token, which no store deletion
// reaches, is refused because its client is gone.
func TestAccessTokensOfADeletedClientReadAsNotFoundInEveryPersistence(t *testing.T) {
	ctx := context.Background()
	for _, p := range []tokenformat.Persistence{tokenformat.StoreRecord, tokenformat.StoreNothing, tokenformat.StoreTokenOnly} {
		t.Run(p.String(), func(t *testing.T) {
			f := newFixture(t, p)
			r := newRequest("svc")
			tok, sig, err := f.adapter.GenerateAccessToken(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.adapter.CreateAccessTokenSession(ctx, sig, r); err != nil {
				t.Fatal(err)
			}
			if _, err := f.adapter.GetAccessTokenSession(ctx, tok, nil); err != nil {
				t.Fatalf("live token: %v", err)
			}
			if err := f.store.DeleteClient(ctx, "svc"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.adapter.GetAccessTokenSession(ctx, tok, nil); !errors.Is(err, fosite.ErrNotFound) {
				t.Fatalf("token of a deleted client: %v, want fosite.ErrNotFound", err)
			}
		})
	}
}

// A stateless token of a client that was deleted and registered again under the same ID
// belongs to the earlier client and stays refused.
func TestStatelessTokenOfAnEarlierClientUnderARecreatedIDReadsAsNotFound(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, tokenformat.StoreNothing)
	r := newRequest("svc")
	tok, sig, err := f.adapter.GenerateAccessToken(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.adapter.CreateAccessTokenSession(ctx, sig, r); err != nil {
		t.Fatal(err)
	}
	if err := f.store.DeleteClient(ctx, "svc"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.CreateClient(ctx, &provider.Client{ID: "svc", CreatedAt: time.Now().Add(2 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.adapter.GetAccessTokenSession(ctx, tok, nil); !errors.Is(err, fosite.ErrNotFound) {
		t.Fatalf("token of the earlier client: %v, want fosite.ErrNotFound", err)
	}
}

func TestRefreshTokenOfADeletedClientReadsAsNotFound(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, tokenformat.StoreRecord)
	r := newRequest("web")
	if err := f.adapter.CreateRefreshTokenSession(ctx, "rt", "", r); err != nil {
		t.Fatal(err)
	}
	if err := f.store.DeleteClient(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.adapter.GetRefreshTokenSession(ctx, "rt", nil); !errors.Is(err, fosite.ErrNotFound) {
		t.Fatalf("refresh token of a deleted client: %v, want fosite.ErrNotFound", err)
	}
}

// The losers of one concurrent refresh present a token rotated a moment ago: they get
// invalid_grant (not found, or ErrAlreadyRedeemed) and revoke nothing, so the winner's
// stateless access token, which only the deny-list could revoke, stays valid.
func TestLoserOfAConcurrentRefreshRevokesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, tokenformat.StoreNothing)
	r := newRequest("web")
	if err := f.adapter.CreateRefreshTokenSession(ctx, "rt", "", r); err != nil {
		t.Fatal(err)
	}
	if err := f.adapter.RotateRefreshToken(ctx, r.ID, "rt"); err != nil {
		t.Fatal(err)
	}
	tok, sig, err := f.adapter.GenerateAccessToken(ctx, r) // the winner's new access token
	if err != nil {
		t.Fatal(err)
	}
	if err := f.adapter.CreateAccessTokenSession(ctx, sig, r); err != nil {
		t.Fatal(err)
	}
	if _, err := f.adapter.GetRefreshTokenSession(ctx, "rt", nil); !errors.Is(err, fosite.ErrNotFound) || errors.Is(err, fosite.ErrInactiveToken) {
		t.Fatalf("a token rotated a moment ago reads as %v, want fosite.ErrNotFound without ErrInactiveToken (no reuse handling)", err)
	}
	if err := f.adapter.RotateRefreshToken(ctx, r.ID, "rt"); !errors.Is(err, fositeadapter.ErrAlreadyRedeemed) {
		t.Fatalf("second rotation: %v, want ErrAlreadyRedeemed", err)
	}
	if _, err := f.adapter.GetAccessTokenSession(ctx, tok, nil); err != nil {
		t.Fatalf("the winner's stateless access token after a loser's presentation: %v, want it valid", err)
	}
}

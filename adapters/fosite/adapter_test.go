package fositeadapter_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ory/fosite"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
	"github.com/oauthkit/oauthkit/tokenformat/opaque"
)

type fixture struct {
	adapter *fositeadapter.Adapter
	store   *memstore.Store
	formats map[string]tokenformat.Format
}

func newFixture(t testing.TB, persistence tokenformat.Persistence) *fixture {
	t.Helper()
	store := memstore.New(memstore.Options{})
	t.Cleanup(func() { _ = store.Close() })
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	keys, err := keyset.New(context.Background(), store, "test", kek, keyset.Options{
		Algorithms: []string{keyset.ES256, keyset.HS256, keyset.A256GCM},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = keys.Close() })
	op, err := opaque.New(keys, opaque.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := encrypted.New(keys, encrypted.Options{})
	if err != nil {
		t.Fatal(err)
	}
	js, err := jws.New("https://as.example", keys, jws.Options{Persistence: persistence, DefaultAudience: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := fositeadapter.New(store, &fosite.Config{GlobalSecret: make([]byte, 32)}, fositeadapter.Options{
		Formats: []tokenformat.Format{js, op, enc},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"web", "svc"} {
		if err := store.CreateClient(context.Background(), &provider.Client{ID: id, CreatedAt: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{adapter: a, store: store, formats: map[string]tokenformat.Format{"jws": js, "opaque": op, "encrypted": enc}}
}

func newRequest(clientID string) *fosite.Request {
	r := fosite.NewRequest()
	r.ID = "grant-" + clientID
	r.Client = fositeadapter.NewClient(&provider.Client{ID: clientID}, time.Now())
	r.Session = fositeadapter.NewSession("alice")
	r.Session.SetExpiresAt(fosite.AccessToken, time.Now().Add(time.Hour))
	r.Session.SetExpiresAt(fosite.AuthorizeCode, time.Now().Add(10*time.Minute))
	r.Session.SetExpiresAt(fosite.RefreshToken, time.Now().Add(24*time.Hour))
	r.GrantScope("read")
	r.GrantAudience("api")
	r.Form = url.Values{"redirect_uri": {"https://client.example/cb"}}
	return r
}

func TestNewRefusesIncompleteConfiguration(t *testing.T) {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	f := newFixture(t, tokenformat.StoreRecord)
	ok := &fosite.Config{GlobalSecret: make([]byte, 32)}
	tests := map[string]func() error{
		"nil store": func() error {
			_, err := fositeadapter.New(nil, ok, fositeadapter.Options{Formats: []tokenformat.Format{f.formats["jws"]}})
			return err
		},
		"nil config": func() error {
			_, err := fositeadapter.New(store, nil, fositeadapter.Options{Formats: []tokenformat.Format{f.formats["jws"]}})
			return err
		},
		"short secret": func() error {
			_, err := fositeadapter.New(store, &fosite.Config{GlobalSecret: []byte("short")}, fositeadapter.Options{Formats: []tokenformat.Format{f.formats["jws"]}})
			return err
		},
		"no formats": func() error { _, err := fositeadapter.New(store, ok, fositeadapter.Options{}); return err },
		"duplicate names": func() error {
			_, err := fositeadapter.New(store, ok, fositeadapter.Options{Formats: []tokenformat.Format{f.formats["jws"], f.formats["jws"]}})
			return err
		},
	}
	for name, fn := range tests {
		if fn() == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestAuthorizeCodeSessionRoundTripsThroughTheStore(t *testing.T) {
	f := newFixture(t, tokenformat.StoreRecord)
	ctx := context.Background()
	r := newRequest("web")
	r.Form.Set("code_challenge", "abc")
	r.Form.Set("code_challenge_method", "S256")
	if err := f.adapter.CreateAuthorizeCodeSession(ctx, "sig", r); err != nil {
		t.Fatal(err)
	}
	got, err := f.adapter.GetAuthorizeCodeSession(ctx, "sig", nil)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case got.GetID() != r.ID, got.GetClient().GetID() != "web", got.GetSession().GetSubject() != "alice",
		!got.GetGrantedScopes().Has("read"), !got.GetGrantedAudience().Has("api"),
		got.GetRequestForm().Get("redirect_uri") != "https://client.example/cb",
		got.GetRequestForm().Get("code_challenge") != "abc":
		t.Fatalf("restored request %+v differs from %+v", got, r)
	}
	if _, err := f.adapter.GetAuthorizeCodeSession(ctx, "other", nil); !errors.Is(err, fosite.ErrNotFound) {
		t.Fatalf("unknown code: %v, want fosite.ErrNotFound", err)
	}
}

func TestInvalidateAuthorizeCodeSessionSucceedsExactlyOnceUnderRace(t *testing.T) {
	f := newFixture(t, tokenformat.StoreRecord)
	ctx := context.Background()
	if err := f.adapter.CreateAuthorizeCodeSession(ctx, "sig", newRequest("web")); err != nil {
		t.Fatal(err)
	}
	const n = 64
	var wins, losses atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.adapter.InvalidateAuthorizeCodeSession(ctx, "sig")
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, fositeadapter.ErrAlreadyRedeemed) && errors.Is(err, fosite.ErrInvalidatedAuthorizeCode):
				losses.Add(1)
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || losses.Load() != n-1 {
		t.Fatalf("%d wins, %d losses; want 1 and %d", wins.Load(), losses.Load(), n-1)
	}
	req, err := f.adapter.GetAuthorizeCodeSession(ctx, "sig", nil)
	if !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) && !errors.Is(err, fosite.ErrNotFound) {
		t.Fatalf("redeemed code reads as %v", err)
	}
	if errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) && req == nil {
		t.Fatal("ErrInvalidatedAuthorizeCode without the request, which fosite needs to revoke")
	}
}

func TestRotateRefreshTokenSucceedsExactlyOnceUnderRace(t *testing.T) {
	f := newFixture(t, tokenformat.StoreRecord)
	ctx := context.Background()
	r := newRequest("web")
	if err := f.adapter.CreateRefreshTokenSession(ctx, "rt", "", r); err != nil {
		t.Fatal(err)
	}
	const n = 64
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := f.adapter.RotateRefreshToken(ctx, r.ID, "rt")
			if err == nil {
				wins.Add(1)
			} else if !errors.Is(err, fositeadapter.ErrAlreadyRedeemed) {
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d rotations succeeded, want 1", wins.Load())
	}
}

func TestAccessTokensReadBackForEveryPersistence(t *testing.T) {
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
			// The reference GenerateAccessToken returns is never accepted as a token.
			if _, err := f.adapter.GetAccessTokenSession(ctx, sig, nil); !errors.Is(err, fosite.ErrNotFound) {
				t.Fatalf("issued reference read as a token: %v", err)
			}
			got, err := f.adapter.GetAccessTokenSession(ctx, f.adapter.AccessTokenSignature(ctx, tok), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.GetClient().GetID() != "svc" || got.GetSession().GetSubject() != "alice" || !got.GetGrantedScopes().Has("read") {
				t.Fatalf("read back %+v", got)
			}
			if err := f.adapter.ValidateAccessToken(ctx, got, tok); err != nil {
				t.Fatal(err)
			}
			if err := f.adapter.RevokeAccessToken(ctx, got.GetID()); err != nil {
				t.Fatal(err)
			}
			if _, err := f.adapter.GetAccessTokenSession(ctx, tok, nil); !errors.Is(err, fosite.ErrNotFound) {
				t.Fatalf("revoked token reads as %v", err)
			}
		})
	}
}

func TestClientAssertionJTIIsAcceptedOnce(t *testing.T) {
	f := newFixture(t, tokenformat.StoreRecord)
	ctx := context.Background()
	exp := time.Now().Add(time.Minute)
	if err := f.adapter.ClientAssertionJWTValid(ctx, "jti"); err != nil {
		t.Fatal(err)
	}
	if err := f.adapter.SetClientAssertionJWT(ctx, "jti", exp); err != nil {
		t.Fatal(err)
	}
	if err := f.adapter.ClientAssertionJWTValid(ctx, "jti"); !errors.Is(err, fosite.ErrJTIKnown) {
		t.Fatalf("used jti: %v, want ErrJTIKnown", err)
	}
	if err := f.adapter.SetClientAssertionJWT(ctx, "jti", exp); !errors.Is(err, fosite.ErrJTIKnown) {
		t.Fatalf("second SetClientAssertionJWT: %v, want ErrJTIKnown", err)
	}
}

// FuzzGetAccessTokenSession feeds arbitrary strings to the introspection path: none may
// panic or read as a live token.
func FuzzGetAccessTokenSession(f *testing.F) {
	fx := newFixture(f, tokenformat.StoreNothing)
	ctx := context.Background()
	r := newRequest("svc")
	tok, _, err := fx.adapter.GenerateAccessToken(ctx, r)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "x", "a.b.c", "a.b.c.d.e", "\x00oauthkit\x000\x00k", "ory_at_x.y", tok[:len(tok)-2] + "AA", tok + "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		req, err := fx.adapter.GetAccessTokenSession(ctx, fx.adapter.AccessTokenSignature(ctx, s), nil)
		if err == nil && s != tok {
			t.Fatalf("token %q accepted as %+v", s, req)
		}
		_ = fx.adapter.DeleteAccessTokenSession(ctx, s)
	})
}

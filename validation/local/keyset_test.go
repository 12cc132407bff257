package local_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
	"github.com/oauthkit/oauthkit/validation/local"
)

// TestRotationOfTheIssuersKeySetFailsNoValidToken runs the authorization server's own parts:
// a keyset.Set whose JWKS handler is served over HTTP, and the jws format signing with its
// active key, while goroutines mint and validate tokens continuously. The set is rotated
// twice mid-run; the second rotation activates a key the validator has never seen (the
// first rotation's fresh next key), which it must learn through the unknown-kid refresh.
func TestRotationOfTheIssuersKeySetFailsNoValidToken(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	store := memstore.New(memstore.Options{Now: c.Func()})
	defer store.Close()
	kek := make([]byte, keyset.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	set, err := keyset.New(ctx, store, "default", kek, keyset.Options{Now: c.Func(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var fetches atomic.Int64
	jwksHandler := set.Handler(keyset.HandlerOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		jwksHandler.ServeHTTP(w, r)
	}))
	defer srv.Close()

	format, err := jws.New(issuer, set, jws.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	keys := newRemote(t, srv.URL, c, local.RemoteOptions{})
	v, err := local.New(issuer, rsAudience, []string{"ES256"}, keys, local.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}

	var validated, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				rec := formattest.RichRecord(c.Now())
				rec.Kind = provider.AccessToken
				tok, err := format.Issue(ctx, rec)
				if err != nil {
					t.Errorf("Issue: %v", err)
					return
				}
				if _, err := v.Validate(ctx, tok.Value); err != nil {
					failed.Add(1)
					t.Errorf("valid token refused: %v", err)
					return
				}
				validated.Add(1)
			}
		}()
	}
	waitFor(t, func() bool { return validated.Load() > 100 })
	for range 2 {
		if err := set.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
		before := validated.Load()
		waitFor(t, func() bool { return validated.Load() > before+100 || failed.Load() > 0 })
	}
	close(stop)
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d valid tokens refused", failed.Load())
	}
	// One fetch at start; the first rotation activates the published next key (no fetch);
	// the second activates a key published after that fetch (one unknown-kid refresh).
	if n := fetches.Load(); n != 2 {
		t.Errorf("JWKS fetches = %d, want 2", n)
	}
}

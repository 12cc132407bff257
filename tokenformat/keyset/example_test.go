package keyset_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

func Example() {
	ctx := context.Background()
	store := memstore.New(memstore.Options{})
	defer store.Close()

	kek := make([]byte, keyset.KEKSize) // in production: from a secret manager, same on every server
	_, _ = rand.Read(kek)

	set, err := keyset.New(ctx, store, "default", kek, keyset.Options{
		Algorithms: []string{keyset.ES256, keyset.A256GCM},
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer set.Close()

	signing, _ := set.Active(ctx, "sig", keyset.ES256)
	if err := set.Rotate(ctx); err != nil {
		log.Fatal(err)
	}
	// The key that signed before the rotation still verifies.
	old, err := set.Lookup(ctx, signing.KeyID)
	fmt.Println("retired key found:", err == nil && old.KeyID == signing.KeyID)

	rec := httptest.NewRecorder()
	set.Handler(keyset.HandlerOptions{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks.json", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
	fmt.Println("published keys:", len(set.JWKS().Keys)) // next, active, retired ES256; never the AES key
	// Output:
	// retired key found: true
	// 200 application/jwk-set+json public, max-age=300
	// published keys: 3
}

func ExampleParseX509() {
	chain, key := []byte("…PEM certificate chain, leaf first…"), []byte("…PEM private key…")
	k, err := keyset.ParseX509(chain, key, keyset.RS256, keyset.LoadOptions{})
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(k.ID())
	// Output: refused: keyset: malformed key: no PEM block found
}

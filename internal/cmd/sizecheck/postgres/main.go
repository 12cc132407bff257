// Command postgres is the smallest authorization server of its kind: compose with the PostgreSQL
// back end only, at OAUTHKIT_POSTGRES_URL. It exists to be measured: its binary size and
// dependency count are the "postgres-only server" of BENCHMARKS.md (../measure.sh prints them).
package main

import (
	"context"
	"crypto/rand"
	"log"
	"os"

	"github.com/oauthkit/oauthkit/compose"
	_ "github.com/oauthkit/oauthkit/storage/sqlstore/postgres" // links pgx and postgres://, nothing else
)

func main() {
	kek := make([]byte, 32)
	rand.Read(kek)
	srv, err := compose.New(context.Background(), compose.Config{
		Issuer:     "http://127.0.0.1:8080",
		StorageURL: os.Getenv("OAUTHKIT_POSTGRES_URL"),
		KEK:        kek,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	log.Fatal(compose.NewHTTPServer("127.0.0.1:8080", srv).ListenAndServe())
}

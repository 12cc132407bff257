// Command memory is the smallest authorization server of its kind: compose alone, with its built-
// in memory store. It exists to be measured: its binary size and dependency count are the "memory-
// only server" of BENCHMARKS.md (../measure.sh prints them).
package main

import (
	"context"
	"crypto/rand"
	"log"

	"github.com/oauthkit/oauthkit/compose"
)

func main() {
	kek := make([]byte, 32)
	rand.Read(kek)
	srv, err := compose.New(context.Background(), compose.Config{
		Issuer:     "http://127.0.0.1:8080",
		StorageURL: "memory://",
		KEK:        kek,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	log.Fatal(compose.NewHTTPServer("127.0.0.1:8080", srv).ListenAndServe())
}

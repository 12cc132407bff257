package clientsecret_test

import (
	"errors"
	"fmt"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
)

func Example() {
	secret, err := clientsecret.Generate() // shown to the client once, never stored
	if err != nil {
		panic(err)
	}
	hash, err := clientsecret.Hash(secret) // kept in provider.Client.SecretHash
	if err != nil {
		panic(err)
	}
	fmt.Println(clientsecret.Verify(hash, secret))
	fmt.Println(errors.Is(clientsecret.Verify(hash, "guess"), clientsecret.ErrMismatch))
	// Output:
	// <nil>
	// true
}

package jwksfetch_test

import (
	"context"
	"fmt"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
)

func ExampleValidateURI() {
	for _, uri := range []string{
		"https://client.example.com/jwks.json",
		"https://169.254.169.254/latest/meta-data/",
		"http://127.0.0.1:6379/",
	} {
		fmt.Println(uri, jwksfetch.ValidateURI(uri))
	}
	// Output:
	// https://client.example.com/jwks.json <nil>
	// https://169.254.169.254/latest/meta-data/ jwksfetch: jwks_uri host is not a public address
	// http://127.0.0.1:6379/ jwksfetch: jwks_uri must be an absolute https URL without user information or fragment
}

func ExampleFetcher_Get() {
	f, err := jwksfetch.New(jwksfetch.Options{}) // https, public addresses, 2 s, 64 KiB
	if err != nil {
		panic(err)
	}
	// A refusal needs no network: the address is checked before any connection.
	_, err = f.Get(context.Background(), "https://10.0.0.1/jwks", false)
	fmt.Println(err)
	// Output: jwksfetch: jwks_uri host is not a public address
}

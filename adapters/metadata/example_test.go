package metadata_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/oauthkit/oauthkit/adapters/metadata"
)

func Example() {
	m := metadata.Metadata{
		Issuer:                            "https://as.example.com/tenant1",
		TokenEndpoint:                     "https://as.example.com/tenant1/token",
		JWKSURI:                           "https://as.example.com/tenant1/jwks.json",
		GrantTypesSupported:               []string{"client_credentials"},
		ResponseTypesSupported:            []string{},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
	}
	h, err := metadata.NewHandler(m, metadata.Options{})
	if err != nil {
		panic(err)
	}
	path, err := metadata.WellKnownPath(m.Issuer)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+path, h)

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	fmt.Println(path)
	fmt.Println(rec.Code, rec.Header().Get("Cache-Control"))
	fmt.Println(rec.Body.String())
	// Output:
	// /.well-known/oauth-authorization-server/tenant1
	// 200 public, max-age=3600
	// {"issuer":"https://as.example.com/tenant1","token_endpoint":"https://as.example.com/tenant1/token","jwks_uri":"https://as.example.com/tenant1/jwks.json","response_types_supported":[],"grant_types_supported":["client_credentials"],"token_endpoint_auth_methods_supported":["client_secret_basic"]}
}

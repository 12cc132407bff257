package registration_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/storage/memstore"
)

func Example() {
	store := memstore.New(memstore.Options{})
	defer store.Close()
	h, err := registration.New(store, "https://as.example.com/register", registration.Options{
		GrantTypes: []string{"client_credentials"},
		Scopes:     []string{"read", "write"},
		Open:       true, // or InitialAccessTokens: []string{clientsecret.Hash(token)}
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	h.Mount(mux)

	req := httptest.NewRequest(http.MethodPost, "/register",
		strings.NewReader(`{"grant_types":["client_credentials"],"scope":"read","client_name":"batch job"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)

	var resp map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &resp)
	fmt.Println(rec.Code, resp["client_name"], resp["scope"], resp["token_endpoint_auth_method"])
	fmt.Println(resp["client_secret"] != nil, resp["registration_access_token"] != nil)
	// Output:
	// 201 batch job read client_secret_basic
	// true true
}

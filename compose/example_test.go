package compose_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/provider"
)

// Example composes a server on the memory store, registers a client, and gets an RFC 9068
// access token with the client credentials grant.
func Example() {
	ctx := context.Background()
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	defer ts.Close()

	kek := make([]byte, 32) // in production: a secret kept outside the database
	_, _ = rand.Read(kek)
	srv, err := compose.New(ctx, compose.Config{
		Issuer:        ts.URL,
		StorageURL:    "memory://",
		KEK:           kek,
		DefaultFormat: compose.FormatJWS,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ts.Config.Handler = srv

	secret, _ := clientsecret.Generate()
	hash, _ := clientsecret.Hash(secret)
	_ = srv.Store().CreateClient(ctx, &provider.Client{
		ID: "svc", SecretHash: hash, TokenEndpointAuthMethod: provider.AuthClientSecretBasic,
		GrantTypes: []string{"client_credentials"}, Scopes: []string{"read"}, Audience: []string{"api"},
	})

	req, _ := http.NewRequest(http.MethodPost, ts.URL+compose.PathToken,
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("svc", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		Scope       string `json:"scope"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	fmt.Println(resp.StatusCode, tok.TokenType, tok.Scope, strings.Count(tok.AccessToken, "."))
	// Output: 200 bearer read 2
}

// ExampleNew_errors shows that a configuration mistake is an error naming the field.
func ExampleNew_errors() {
	_, err := compose.New(context.Background(), compose.Config{Issuer: "http://as.example", StorageURL: "memory://"})
	fmt.Println(err)
	// Output: compose: invalid config: Issuer: must be https (http only on a loopback host)
}

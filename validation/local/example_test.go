package local_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/validation/local"
)

// A validator trusting a static JWKS checks an RFC 9068 access token.
func ExampleNew() {
	// The issuer's key and its published JWKS.
	priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwksJSON, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &priv.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"},
	}})

	keys, err := local.ParseJWKS(jwksJSON)
	if err != nil {
		panic(err)
	}
	v, err := local.New("https://as.example.com", "https://api.example.com", []string{"ES256"}, keys,
		local.Options{Leeway: 5 * time.Second})
	if err != nil {
		panic(err)
	}

	// A token as the issuer mints it.
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: priv},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", "k1"))
	now := time.Now()
	payload, _ := json.Marshal(map[string]any{
		"iss": "https://as.example.com", "aud": "https://api.example.com", "sub": "alice",
		"client_id": "app", "scope": "read", "jti": "1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	jws, _ := signer.Sign(payload)
	token, _ := jws.CompactSerialize()

	claims, err := v.Validate(context.Background(), token)
	fmt.Println(claims.Subject, claims.ClientID, claims.Scope, err)
	// Output: alice app read <nil>
}

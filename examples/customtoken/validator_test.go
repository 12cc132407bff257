package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"aidanwoods.dev/go-paseto"
	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/validation"
)

// keysFunc adapts a function to tokenformat.KeyLookup.
type keysFunc func(ctx context.Context, kid string) (*jose.JSONWebKey, error)

func (f keysFunc) Lookup(ctx context.Context, kid string) (*jose.JSONWebKey, error) {
	return f(ctx, kid)
}

func TestValidatorJudgesEachClaimAndKey(t *testing.T) {
	edKey := &jose.JSONWebKey{Key: fuzzKey.Public(), KeyID: "fuzz", Algorithm: "EdDSA", Use: "sig"}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecKey := &jose.JSONWebKey{Key: &ec.PublicKey, KeyID: "fuzz", Algorithm: "ES256", Use: "sig"}
	secret := must(paseto.NewV4AsymmetricSecretKeyFromEd25519(fuzzKey))
	token := func(mod func(*claims)) string {
		c := claims{Issuer: fuzzIssuer, Audience: []string{"api"}, ClientID: "c", Scope: "read  write",
			JTI: "j", IssuedAt: fuzzNow, NotBefore: fuzzNow, ExpiresAt: fuzzNow.Add(time.Hour)}
		if mod != nil {
			mod(&c)
		}
		return must(sign(&c, "fuzz", secret))
	}
	tests := []struct {
		name  string
		token string
		key   func(context.Context, string) (*jose.JSONWebKey, error)
		want  error // nil: accepted
	}{
		{"good", token(nil), nil, nil},
		{"other audience", token(func(c *claims) { c.Audience = []string{"other"} }), nil, validation.ErrInvalidToken},
		{"other issuer", token(func(c *claims) { c.Issuer = "https://evil.example" }), nil, validation.ErrInvalidToken},
		{"not valid yet", token(func(c *claims) { c.NotBefore = fuzzNow.Add(time.Minute) }), nil, validation.ErrInvalidToken},
		{"expired", token(func(c *claims) { c.ExpiresAt = fuzzNow }), nil, validation.ErrExpired},
		{"no client_id", token(func(c *claims) { c.ClientID = "" }), nil, validation.ErrInvalidToken},
		{"kid names an ES256 key", token(nil), func(context.Context, string) (*jose.JSONWebKey, error) { return ecKey, nil }, validation.ErrInvalidToken},
		{"kid names an EC key without alg", token(nil), func(context.Context, string) (*jose.JSONWebKey, error) {
			return &jose.JSONWebKey{Key: &ec.PublicKey, KeyID: "fuzz"}, nil
		}, validation.ErrInvalidToken},
		{"unknown kid", token(nil), func(context.Context, string) (*jose.JSONWebKey, error) { return nil, tokenformat.ErrUnknownKey }, validation.ErrInvalidToken},
		{"JWKS unreachable", token(nil), func(context.Context, string) (*jose.JSONWebKey, error) {
			return nil, fmt.Errorf("%w: fetch failed", validation.ErrUnavailable)
		}, validation.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == nil {
				key = func(_ context.Context, kid string) (*jose.JSONWebKey, error) {
					if kid != "fuzz" {
						return nil, tokenformat.ErrUnknownKey
					}
					return edKey, nil
				}
			}
			v := must(NewValidator(fuzzIssuer, "api", keysFunc(key), func() time.Time { return fuzzNow }))
			c, err := v.Validate(context.Background(), tt.token)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Validate = %v, want the token accepted", err)
			case tt.want == nil && (c.ClientID != "c" || c.Scope != "read write" || !c.HasAudience("api")):
				t.Errorf("claims = %+v", c)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("Validate = %v, want %v", err, tt.want)
			case errors.Is(tt.want, validation.ErrUnavailable) && errors.Is(err, validation.ErrInvalidToken):
				t.Errorf("an unreachable JWKS reads as an invalid token: %v", err)
			}
		})
	}
}

package validation

import (
	"context"
	"fmt"
)

// Validator decides whether an access token is good. It is the one contract every resource
// server validator meets: local JWT validation, introspection, a Chain of both, or your own.
//
// Validate returns the token's claims, or an error matching ErrInvalidToken (the token is
// bad: 401) or ErrUnavailable (the token could not be judged now: 503). Errors never contain
// the token. Implementations are safe for concurrent use.
type Validator interface {
	Validate(ctx context.Context, token string) (*Claims, error)
}

// ValidatorFunc adapts a function to the Validator interface.
type ValidatorFunc func(ctx context.Context, token string) (*Claims, error)

// Validate calls f(ctx, token).
func (f ValidatorFunc) Validate(ctx context.Context, token string) (*Claims, error) {
	return f(ctx, token)
}

// Chain is a Validator that routes each token by its shape: a JWT (a JWS of three
// base64url segments or a JWE of five) goes to JWT, anything else to Opaque. A nil field
// means tokens of that shape are refused with ErrInvalidToken; the zero Chain refuses
// everything.
//
// A typical chain validates JWTs locally and asks the authorization server about the rest:
//
//	validation.Chain{JWT: localValidator, Opaque: introspectionClient}
type Chain struct {
	JWT    Validator
	Opaque Validator
}

var _ Validator = Chain{}

// Validate routes token by LooksLikeJWT and returns what the chosen validator returns.
func (c Chain) Validate(ctx context.Context, token string) (*Claims, error) {
	v := c.Opaque
	shape := "opaque"
	if LooksLikeJWT(token) {
		v, shape = c.JWT, "JWT"
	}
	if v == nil {
		return nil, fmt.Errorf("%w: no validator accepts %s tokens", ErrInvalidToken, shape)
	}
	return v.Validate(ctx, token)
}

// LooksLikeJWT reports whether token has the shape of a compact JWS (three segments) or JWE
// (five segments): only base64url characters and dots, with a non-empty first segment. It
// says nothing about whether the token is good.
func LooksLikeJWT(token string) bool {
	dots := 0
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c == '.':
			if i == 0 {
				return false
			}
			dots++
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return dots == 2 || dots == 4
}

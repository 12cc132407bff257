package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/validation"
)

// Validator is the resource server's side of paseto-v4: a validation.Validator that checks a
// v4.public token's signature with the authorization server's public key (found by the
// footer's kid in its JWKS, through the same tokenformat.KeyLookup a JWT validator uses, and
// by the same verify as the server's Format), then iss, aud, exp and nbf. Put it in a validation.Chain beside the local JWT validator:
//
//	validation.Chain{JWT: jwtValidator, Opaque: pasetoValidator}
//
// A v4.public token with a footer has four dot-separated parts, so the Chain does not take it
// for a JWT. Validator is safe for concurrent use.
type Validator struct {
	issuer   string
	audience string
	keys     tokenformat.KeyLookup
	now      func() time.Time
}

var _ validation.Validator = (*Validator)(nil)

// NewValidator returns a Validator for tokens from issuer (compared exactly with iss) meant
// for audience (which aud must contain), signed by an EdDSA key from keys. now is the clock;
// nil means time.Now.
func NewValidator(issuer, audience string, keys tokenformat.KeyLookup, now func() time.Time) (*Validator, error) {
	if issuer == "" || audience == "" || keys == nil {
		return nil, errors.New("paseto-v4: NewValidator needs an issuer, an audience and keys")
	}
	if now == nil {
		now = time.Now
	}
	return &Validator{issuer: issuer, audience: audience, keys: keys, now: now}, nil
}

// Validate returns the token's claims, or an error matching validation.ErrInvalidToken
// (validation.ErrExpired for an expired token) or validation.ErrUnavailable (the JWKS could
// not be fetched).
func (v *Validator) Validate(ctx context.Context, token string) (*validation.Claims, error) {
	c, raw, err := verify(ctx, token, v.issuer, v.keys)
	var bad invalid
	switch {
	case errors.As(err, &bad):
		return nil, fmt.Errorf("%w: %w", validation.ErrInvalidToken, err)
	case err != nil:
		return nil, fmt.Errorf("paseto-v4: %w", err)
	}
	now := v.now()
	switch {
	case !slices.Contains(c.Audience, v.audience):
		return nil, fmt.Errorf("%w: paseto-v4: not meant for this audience", validation.ErrInvalidToken)
	case c.NotBefore.After(now):
		return nil, fmt.Errorf("%w: paseto-v4: not valid yet", validation.ErrInvalidToken)
	case !now.Before(c.ExpiresAt):
		return nil, validation.ErrExpired
	}
	return &validation.Claims{
		Issuer:    c.Issuer,
		Subject:   c.Subject,
		Audience:  c.Audience,
		ClientID:  c.ClientID,
		Scope:     strings.Join(strings.Fields(c.Scope), " "),
		JTI:       c.JTI,
		IssuedAt:  c.IssuedAt,
		ExpiresAt: c.ExpiresAt,
		NotBefore: c.NotBefore,
		Raw:       raw,
	}, nil
}

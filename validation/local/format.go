package local

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/validation"
)

// FormatValidator validates tokens of a tokenformat.Format that carries its record, such as
// encrypted-state tokens opened with the shared key (tokenformat/encrypted) or JWE tokens
// opened with the resource server's key (tokenformat/jwe). The format authenticates the token
// (AEAD tag or signature); FormatValidator then requires an access-token record for this
// resource's audience that has not expired.
//
// Revocation of such tokens goes through the authorization server's jti deny-list, which a
// resource server validating locally does not see: keep their lifetime short.
type FormatValidator struct {
	format   tokenformat.Format
	issuer   string
	audience string
	maxSize  int
	now      func() time.Time
}

var _ validation.Validator = (*FormatValidator)(nil)

// FormatOptions configures a FormatValidator. The zero value is the default documented on
// each field.
type FormatOptions struct {
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// MaxTokenSize is the largest token, in bytes, handed to the format. Default
	// DefaultMaxTokenSize.
	MaxTokenSize int
}

// NewFormat returns a validator of f's tokens for audience, which the token's granted
// audience must contain. issuer is reported as the claims' Issuer: a format's record does
// not name its issuer, and whoever holds the format's key is the issuer. All three are
// required.
func NewFormat(f tokenformat.Format, issuer, audience string, opts FormatOptions) (*FormatValidator, error) {
	o := opts
	switch {
	case f == nil:
		return nil, errors.New("local: NewFormat: nil format")
	case issuer == "":
		return nil, errors.New("local: NewFormat: empty issuer")
	case audience == "":
		return nil, errors.New("local: NewFormat: empty audience")
	case o.MaxTokenSize < 0:
		return nil, errors.New("local: NewFormat: negative MaxTokenSize")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxTokenSize == 0 {
		o.MaxTokenSize = DefaultMaxTokenSize
	}
	return &FormatValidator{format: f, issuer: issuer, audience: audience, maxSize: o.MaxTokenSize, now: o.Now}, nil
}

// Validate has the format parse token and checks what it carries.
func (v *FormatValidator) Validate(ctx context.Context, token string) (*validation.Claims, error) {
	if len(token) > v.maxSize {
		return nil, invalid("token larger than the size cap")
	}
	t, err := v.format.Parse(ctx, token)
	switch {
	case errors.Is(err, tokenformat.ErrExpired):
		return nil, fmt.Errorf("local: %s: %w", v.format.Name(), validation.ErrExpired)
	case errors.Is(err, tokenformat.ErrInvalidToken), errors.Is(err, tokenformat.ErrUnknownKey):
		return nil, fmt.Errorf("local: %s: %w", v.format.Name(), validation.ErrInvalidToken)
	case err != nil:
		return nil, fmt.Errorf("local: %s: %w", v.format.Name(), err)
	}
	rec := t.Record
	switch {
	case rec == nil:
		return nil, invalid("the format carries no record; validate its tokens by introspection")
	case rec.Kind != "" && rec.Kind != provider.AccessToken:
		return nil, invalid("not an access token")
	case !audienceHas(rec.GrantedAudience, v.audience):
		return nil, invalid("audience does not name this resource")
	case rec.ExpiresAt.IsZero():
		return nil, invalid("no expiry")
	case rec.Expired(v.now()):
		return nil, fmt.Errorf("local: %s: %w", v.format.Name(), validation.ErrExpired)
	case rec.Subject == "" || rec.ClientID == "":
		return nil, invalid("no subject or client")
	}
	c := &validation.Claims{
		Issuer:    v.issuer,
		Subject:   rec.Subject,
		Audience:  append([]string(nil), rec.GrantedAudience...),
		ClientID:  rec.ClientID,
		Scope:     strings.Join(rec.GrantedScopes, " "),
		IssuedAt:  rec.IssuedAt,
		ExpiresAt: rec.ExpiresAt,
		AuthTime:  rec.AuthTime,
		Raw:       append([]byte(nil), rec.Claims...),
	}
	var jti string
	if ok, _ := c.Extra("jti", &jti); ok {
		c.JTI = jti
	}
	return c, nil
}

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"aidanwoods.dev/go-paseto"
	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// FormatName is the name clients give in their access_token_format metadata.
const FormatName = "paseto-v4"

// Format issues access tokens as PASETO v4.public tokens signed with the server's active
// Ed25519 (EdDSA) key; the footer names the key's kid, so a resource server finds the public
// key in the server's JWKS. The full record is stored (tokenformat.StoreRecord), so
// introspection and revocation work as for any stored token; the token carries the claims a
// resource server needs to decide locally.
type Format struct {
	issuer   string
	audience []string
	keys     tokenformat.KeySource
	now      func() time.Time
	signer   atomic.Pointer[signer]
}

// signer is the active key in the library's form. Converting a key checks it (an Ed25519
// key derivation, as costly as a signature), so it is done once per key: a KeySource returns
// the same pointer for as long as the active key is unchanged.
type signer struct {
	jwk *jose.JSONWebKey
	key paseto.V4AsymmetricSecretKey
}

var (
	_ tokenformat.Format      = (*Format)(nil)
	_ tokenformat.Recognizer  = (*Format)(nil)
	_ tokenformat.Constructor = NewFormat
)

// NewFormat is the format's tokenformat.Constructor: compose.New calls it with the server's
// key set, issuer, default audience and clock. The key set must hold an EdDSA key.
func NewFormat(env tokenformat.Env) (tokenformat.Format, error) {
	switch {
	case env.Keys == nil || env.Issuer == "" || env.Now == nil:
		return nil, errors.New("paseto-v4: Env needs Keys, Issuer and Now")
	case len(env.DefaultAudience) == 0:
		return nil, errors.New("paseto-v4: Env needs a DefaultAudience")
	}
	if _, err := env.Keys.Active(context.Background(), keyset.UseSig, keyset.EdDSA); err != nil {
		return nil, fmt.Errorf("paseto-v4: the key set has no active EdDSA key: %w", err)
	}
	return &Format{issuer: env.Issuer, audience: env.DefaultAudience, keys: env.Keys, now: env.Now}, nil
}

// Name returns "paseto-v4".
func (f *Format) Name() string { return FormatName }

// Persistence returns tokenformat.StoreRecord.
func (f *Format) Persistence() tokenformat.Persistence { return tokenformat.StoreRecord }

// Recognize reports whether token starts with "v4.public.".
func (f *Format) Recognize(token string) bool { return strings.HasPrefix(token, prefix) }

// Issue signs rec's claims with the active EdDSA key. The token's Key is its jti.
func (f *Format) Issue(ctx context.Context, rec *provider.Record) (tokenformat.Token, error) {
	if rec == nil {
		return tokenformat.Token{}, errors.New("paseto-v4: Issue: nil record")
	}
	jwk, err := f.keys.Active(ctx, keyset.UseSig, keyset.EdDSA)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("paseto-v4: signing key: %w", err)
	}
	sg := f.signer.Load()
	if sg == nil || sg.jwk != jwk {
		priv, ok := jwk.Key.(ed25519.PrivateKey)
		if !ok {
			return tokenformat.Token{}, errors.New("paseto-v4: the active EdDSA key is not an Ed25519 private key")
		}
		key, err := paseto.NewV4AsymmetricSecretKeyFromEd25519(priv)
		if err != nil {
			return tokenformat.Token{}, fmt.Errorf("paseto-v4: signing key: %w", err)
		}
		sg = &signer{jwk: jwk, key: key}
		f.signer.Store(sg)
	}
	aud := rec.GrantedAudience
	if len(aud) == 0 {
		aud = f.audience
	}
	c := &claims{
		Issuer:    f.issuer,
		Subject:   rec.Subject,
		Audience:  aud,
		ExpiresAt: rec.ExpiresAt.UTC(),
		NotBefore: rec.IssuedAt.UTC(),
		IssuedAt:  rec.IssuedAt.UTC(),
		JTI:       rand.Text(),
		ClientID:  rec.ClientID,
		Scope:     strings.Join(rec.GrantedScopes, " "),
	}
	token, err := sign(c, jwk.KeyID, sg.key)
	if err != nil {
		return tokenformat.Token{}, fmt.Errorf("paseto-v4: sign: %w", err)
	}
	return tokenformat.Token{Value: token, Key: c.JTI}, nil
}

// Parse verifies token with the key its footer names (active, next or retired in the key
// set) and returns the record it carries. An expired token is tokenformat.ErrExpired.
func (f *Format) Parse(ctx context.Context, token string) (tokenformat.Token, error) {
	c, _, err := verify(ctx, token, f.issuer, f.keys)
	var bad invalid
	switch {
	case errors.As(err, &bad):
		return tokenformat.Token{}, fmt.Errorf("%w: %w", tokenformat.ErrInvalidToken, err)
	case err != nil:
		return tokenformat.Token{}, fmt.Errorf("paseto-v4: %w", err)
	}
	now := f.now()
	if c.NotBefore.After(now) {
		return tokenformat.Token{}, fmt.Errorf("%w: paseto-v4: not valid yet", tokenformat.ErrInvalidToken)
	}
	if !now.Before(c.ExpiresAt) {
		return tokenformat.Token{}, fmt.Errorf("%w: paseto-v4", tokenformat.ErrExpired)
	}
	rec := &provider.Record{
		Kind:            provider.AccessToken,
		Key:             c.JTI,
		ClientID:        c.ClientID,
		Subject:         c.Subject,
		GrantedScopes:   strings.Fields(c.Scope),
		GrantedAudience: slices.Clone(c.Audience),
		IssuedAt:        c.IssuedAt,
		ExpiresAt:       c.ExpiresAt,
	}
	return tokenformat.Token{Value: token, Key: c.JTI, Record: rec}, nil
}

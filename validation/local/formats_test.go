package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/encrypted"
	"github.com/oauthkit/oauthkit/tokenformat/formattest"
	"github.com/oauthkit/oauthkit/tokenformat/jwe"
	"github.com/oauthkit/oauthkit/tokenformat/jws"
	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/local"
)

const rsAudience = "https://rs.example" // formattest.RichRecord's first granted audience

func newKey(t *testing.T, use, alg string) *jose.JSONWebKey {
	t.Helper()
	k, err := formattest.NewKey(use, alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// publicSet returns the public JWKS of signing keys, as the issuer's JWKS endpoint would.
func publicSet(t *testing.T, keys ...*jose.JSONWebKey) *local.StaticKeys {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, k := range keys {
		pub := k.Public()
		set.Keys = append(set.Keys, pub)
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	s, err := local.ParseJWKS(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkRichClaims(t *testing.T, c *validation.Claims, rec *provider.Record) {
	t.Helper()
	if c.Subject != rec.Subject || c.ClientID != rec.ClientID || c.Scope != "read write" ||
		!c.HasAudience(rsAudience) || !c.ExpiresAt.Equal(rec.ExpiresAt) {
		t.Errorf("claims = %+v", c)
	}
}

// TestTokensOfTheJWSFormatValidateLocally validates tokens minted by tokenformat/jws, with
// every algorithm it signs with, against its public keys only.
func TestTokensOfTheJWSFormatValidateLocally(t *testing.T) {
	for _, alg := range []string{"ES256", "ES384", "EdDSA", "RS256", "PS256"} {
		t.Run(alg, func(t *testing.T) {
			key := newKey(t, "sig", alg)
			c := newClock()
			f, err := jws.New(issuer, formattest.NewKeys(key), jws.Options{Algorithm: jose.SignatureAlgorithm(alg), Now: c.Func()})
			if err != nil {
				t.Fatal(err)
			}
			rec := formattest.RichRecord(c.Now())
			tok, err := f.Issue(context.Background(), rec)
			if err != nil {
				t.Fatal(err)
			}
			v, err := local.New(issuer, rsAudience, []string{alg}, publicSet(t, key), local.Options{Now: c.Func()})
			if err != nil {
				t.Fatal(err)
			}
			claims, err := v.Validate(context.Background(), tok.Value)
			if err != nil {
				t.Fatal(err)
			}
			checkRichClaims(t, claims, rec)
			var acr string
			if ok, _ := claims.Extra("acr", &acr); !ok || acr != "urn:example:loa:2" {
				t.Errorf("extra claim acr = %q", acr)
			}
		})
	}
}

// TestTokensOfTheJWEFormatValidateLocally opens tokenformat/jwe tokens two ways: with the
// validator's own decryption (the inner JWS then goes through the hot path), and through the
// format's Parse behind a FormatValidator.
func TestTokensOfTheJWEFormatValidateLocally(t *testing.T) {
	for _, encAlg := range []string{"RSA-OAEP-256", "ECDH-ES+A256KW"} {
		t.Run(encAlg, func(t *testing.T) {
			sigKey := newKey(t, "sig", "ES256")
			encKey := newKey(t, "enc", encAlg)
			c := newClock()
			inner, err := jws.New(issuer, formattest.NewKeys(sigKey), jws.Options{Now: c.Func()})
			if err != nil {
				t.Fatal(err)
			}
			pub := encKey.Public()
			f, err := jwe.New(inner, jwe.Options{
				Recipient:  func(context.Context, *provider.Record) (*jose.JSONWebKey, error) { return &pub, nil },
				Decryption: formattest.NewKeys(encKey),
			})
			if err != nil {
				t.Fatal(err)
			}
			rec := formattest.RichRecord(c.Now())
			tok, err := f.Issue(context.Background(), rec)
			if err != nil {
				t.Fatal(err)
			}

			native, err := local.New(issuer, rsAudience, []string{"ES256"}, publicSet(t, sigKey), local.Options{
				Now: c.Func(), Decryption: &local.Decryption{Keys: []jose.JSONWebKey{*encKey}},
			})
			if err != nil {
				t.Fatal(err)
			}
			claims, err := native.Validate(context.Background(), tok.Value)
			if err != nil {
				t.Fatalf("own decryption: %v", err)
			}
			checkRichClaims(t, claims, rec)

			viaFormat, err := local.NewFormat(f, issuer, rsAudience, local.FormatOptions{Now: c.Func()})
			if err != nil {
				t.Fatal(err)
			}
			claims, err = viaFormat.Validate(context.Background(), tok.Value)
			if err != nil {
				t.Fatalf("format Parse: %v", err)
			}
			checkRichClaims(t, claims, rec)

			// A validator without the decryption key, or with another one, refuses the token.
			other := newKey(t, "enc", encAlg)
			other.KeyID = encKey.KeyID
			wrong, err := local.New(issuer, rsAudience, []string{"ES256"}, publicSet(t, sigKey), local.Options{
				Now: c.Func(), Decryption: &local.Decryption{Keys: []jose.JSONWebKey{*other}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := wrong.Validate(context.Background(), tok.Value); !errors.Is(err, validation.ErrInvalidToken) {
				t.Errorf("wrong decryption key: %v, want ErrInvalidToken", err)
			}
			// The inner JWS must still be signed by a trusted key.
			untrusted, err := local.New(issuer, rsAudience, []string{"ES256"}, publicSet(t, newKey(t, "sig", "ES256")), local.Options{
				Now: c.Func(), Decryption: &local.Decryption{Keys: []jose.JSONWebKey{*encKey}},
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := untrusted.Validate(context.Background(), tok.Value); !errors.Is(err, validation.ErrInvalidToken) {
				t.Errorf("untrusted signer: %v, want ErrInvalidToken", err)
			}
		})
	}
}

// TestTokensOfTheEncryptedStateFormatValidateWithTheSharedKey validates tokenformat/encrypted
// tokens through the format's Parse behind a FormatValidator.
func TestTokensOfTheEncryptedStateFormatValidateWithTheSharedKey(t *testing.T) {
	key := newKey(t, "enc", "A256GCM")
	c := newClock()
	f, err := encrypted.New(formattest.NewKeys(key), encrypted.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	v, err := local.NewFormat(f, issuer, rsAudience, local.FormatOptions{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec := formattest.RichRecord(c.Now())
	tok, err := f.Issue(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := v.Validate(ctx, tok.Value)
	if err != nil {
		t.Fatal(err)
	}
	checkRichClaims(t, claims, rec)
	if claims.Issuer != issuer {
		t.Errorf("Issuer = %q", claims.Issuer)
	}

	otherAud := formattest.RichRecord(c.Now())
	otherAud.GrantedAudience = []string{"https://elsewhere.example"}
	refresh := formattest.RichRecord(c.Now())
	refresh.Kind = provider.RefreshToken
	bad := map[string]*provider.Record{"other audience": otherAud, "refresh token": refresh}
	for name, r := range bad {
		tk, err := f.Issue(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Validate(ctx, tk.Value); !errors.Is(err, validation.ErrInvalidToken) {
			t.Errorf("%s: %v, want ErrInvalidToken", name, err)
		}
	}
	tampered := []byte(tok.Value)
	tampered[len(tampered)/2] ^= 1
	if _, err := v.Validate(ctx, string(tampered)); !errors.Is(err, validation.ErrInvalidToken) {
		t.Errorf("tampered: %v, want ErrInvalidToken", err)
	}
	c.Add(time.Hour)
	if _, err := v.Validate(ctx, tok.Value); !errors.Is(err, validation.ErrExpired) {
		t.Errorf("expired: %v, want ErrExpired", err)
	}
}

// TestValidatorTakesTheAuthorizationServersKeySource proves the one key-source type: the
// KeySource a jws format signs with (here formattest's, as keyset.Set would be) is a
// tokenformat.KeyLookup a Validator verifies with directly, as it does a StaticKeys.
func TestValidatorTakesTheAuthorizationServersKeySource(t *testing.T) {
	key := newKey(t, "sig", "ES256")
	c := newClock()
	src := formattest.NewKeys(key)
	f, err := jws.New(issuer, src, jws.Options{Now: c.Func()})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.Issue(context.Background(), formattest.RichRecord(c.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for name, keys := range map[string]tokenformat.KeyLookup{"KeySource": src, "StaticKeys": publicSet(t, key)} {
		v, err := local.New(issuer, rsAudience, []string{"ES256"}, keys, local.Options{Now: c.Func()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Validate(context.Background(), tok.Value); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

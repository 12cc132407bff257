package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"aidanwoods.dev/go-paseto"
	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/tokenformat"
)

// prefix starts every PASETO v4.public token: the version and the purpose.
const prefix = "v4.public."

// maxTokenSize bounds the tokens either side parses at all: larger ones are refused before
// any decoding.
const maxTokenSize = 8 << 10

// claims are what a paseto-v4 token says. The names are PASETO's registered claims (iss,
// sub, aud, exp, nbf, iat, jti; times in RFC 3339) plus RFC 9068's client_id and scope. aud
// is a list, as in a JWT access token; PASETO registers a single string, which a token with
// one audience could use instead.
type claims struct {
	Issuer    string    `json:"iss"`
	Subject   string    `json:"sub,omitempty"`
	Audience  []string  `json:"aud,omitempty"`
	ExpiresAt time.Time `json:"exp"`
	NotBefore time.Time `json:"nbf,omitzero"`
	IssuedAt  time.Time `json:"iat,omitzero"`
	JTI       string    `json:"jti"`
	ClientID  string    `json:"client_id"`
	Scope     string    `json:"scope,omitempty"`
}

// footer is the token's footer: authenticated but not encrypted, readable before the
// signature is checked, so it names the key that signed ("kid", a claim PASETO reserves
// for the footer).
type footer struct {
	KID string `json:"kid"`
}

// invalid reports a token that is malformed, forged or made with an unknown key. Each side
// turns it into its own sentinel (tokenformat.ErrInvalidToken, validation.ErrInvalidToken).
// Its text never holds the token.
type invalid string

func (e invalid) Error() string { return "paseto-v4: " + string(e) }

// sign returns c as a v4.public token signed by key, with kid in the footer.
func sign(c *claims, kid string, key paseto.V4AsymmetricSecretKey) (string, error) {
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	foot, err := json.Marshal(footer{KID: kid})
	if err != nil {
		return "", err
	}
	tok, err := paseto.NewTokenFromClaimsJSON(body, foot)
	if err != nil {
		return "", err
	}
	return tok.V4Sign(key, nil), nil
}

// verify checks token's signature with the Ed25519 key keys holds under its footer's kid,
// and returns its claims (parsed, and as the JSON object signed) once iss is issuer and the
// token has an exp, a jti and a client_id. Time is the caller's to check. An error of keys
// other than ErrUnknownKey (a JWKS that cannot be fetched) is returned as it is.
func verify(ctx context.Context, token, issuer string, keys tokenformat.KeyLookup) (*claims, []byte, error) {
	if len(token) > maxTokenSize || !strings.HasPrefix(token, prefix) {
		return nil, nil, invalid("not a v4.public token")
	}
	foot, err := paseto.NewParser().UnsafeParseFooter(paseto.V4Public, token)
	var f footer
	if err != nil || json.Unmarshal(foot, &f) != nil || f.KID == "" {
		return nil, nil, invalid("no kid in the footer")
	}
	jwk, err := keys.Lookup(ctx, f.KID)
	if errors.Is(err, tokenformat.ErrUnknownKey) {
		return nil, nil, invalid("unknown kid")
	}
	if err != nil {
		return nil, nil, err
	}
	pub, err := ed25519Public(jwk)
	if err != nil {
		return nil, nil, err
	}
	key, err := paseto.NewV4AsymmetricPublicKeyFromEd25519(pub)
	if err != nil {
		return nil, nil, invalid("the kid names no Ed25519 key")
	}
	// Expiry is checked by the caller with its own clock: the library's rules read time.Now.
	tok, err := paseto.NewParserWithoutExpiryCheck().ParseV4Public(key, token, nil)
	if err != nil {
		return nil, nil, invalid("bad signature or encoding")
	}
	raw := tok.ClaimsJSON()
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, nil, invalid("claims are not a JSON object of the expected types")
	}
	switch {
	case c.Issuer != issuer:
		return nil, nil, invalid("iss is not the issuer")
	case c.ExpiresAt.IsZero() || c.JTI == "" || c.ClientID == "":
		return nil, nil, invalid("exp, jti or client_id missing")
	}
	return &c, raw, nil
}

// ed25519Public returns the public half of an EdDSA key, private as a key set holds it or
// public as a JWKS does.
func ed25519Public(jwk *jose.JSONWebKey) (ed25519.PublicKey, error) {
	if jwk.Algorithm != "" && jwk.Algorithm != "EdDSA" {
		return nil, invalid("the kid names no EdDSA key")
	}
	switch k := jwk.Key.(type) {
	case ed25519.PrivateKey:
		return k.Public().(ed25519.PublicKey), nil
	case ed25519.PublicKey:
		return k, nil
	}
	return nil, invalid("the kid names no Ed25519 key")
}

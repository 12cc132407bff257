package josecore

import (
	"errors"
	"strings"

	"github.com/oauthkit/oauthkit/internal/jsonscan"
)

// JWEHeader is what oauthkit reads of a compact JWE's protected header before handing the
// token to go-jose to decrypt.
type JWEHeader struct {
	// Alg and Enc are the key-management and content-encryption algorithms; Kid, Typ and Cty
	// are "" when absent.
	Alg, Enc, Kid, Typ, Cty string
	// HasTyp says whether typ is present.
	HasTyp bool
	// Marker is the value of the parameter named by ParseJWE's marker argument, and
	// HasMarker whether the header has it.
	Marker    string
	HasMarker bool
}

// ErrNotJWE reports a token that is not a compact JWE of five strict base64url segments.
var ErrNotJWE = errors.New("not a compact JWE")

// ParseJWE checks the envelope of a compact JWE (RFC 7516 §7.1) and reads its protected
// header: five strict base64url segments (SplitJWE); a JSON object whose parameters appear
// once; no zip (compression before encryption leaks the plaintext's redundancy), no crit
// (no extension is understood), no jku, jwk, x5u or x5c; alg and enc present; and cty, if
// nested is true, JWT (RFC 7516 §4.1.13: a JWS inside). It decrypts nothing.
func ParseJWE(token, marker string, nested bool) (JWEHeader, error) {
	parts, ok := SplitJWE(token)
	if !ok {
		return JWEHeader{}, ErrNotJWE
	}
	b, _ := DecodeSegment(parts[0])
	var h JWEHeader
	var seen uint16
	var refused error
	sc := jsonscan.New(b)
	err := sc.Object(func(name []byte) error {
		var bit uint16
		var dst *string
		switch n := string(name); {
		case n == "alg":
			bit, dst = 1<<0, &h.Alg
		case n == "enc":
			bit, dst = 1<<1, &h.Enc
		case n == "kid":
			bit, dst = 1<<2, &h.Kid
		case n == "typ":
			bit, dst = 1<<3, &h.Typ
			h.HasTyp = true
		case n == "cty":
			bit, dst = 1<<4, &h.Cty
		case marker != "" && n == marker:
			bit, dst = 1<<5, &h.Marker
			h.HasMarker = true
		case n == "crit":
			refused = ErrCrit
		case n == "jku" || n == "jwk" || n == "x5u" || n == "x5c":
			refused = ErrKeyInHeader
		case n == "zip":
			refused = errors.New("header zip is refused")
		}
		if dst == nil {
			return sc.Skip()
		}
		if seen&bit != 0 {
			return ErrDuplicate
		}
		seen |= bit
		v, err := sc.String()
		*dst = v
		return err
	})
	switch {
	case errors.Is(err, ErrDuplicate):
		return JWEHeader{}, err
	case err != nil:
		return JWEHeader{}, ErrHeaderSyntax
	case refused != nil:
		return JWEHeader{}, refused
	case h.Alg == "" || h.Enc == "":
		return JWEHeader{}, errors.New("header has no alg or enc")
	case nested && !strings.EqualFold(h.Cty, "JWT"):
		return JWEHeader{}, errors.New("cty is not JWT: the JWE does not hold a JWT")
	}
	return h, nil
}

package josecore

import (
	"errors"
	"strings"
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
	params := [...]param{
		{name: "alg", dst: &h.Alg},
		{name: "enc", dst: &h.Enc},
		{name: "kid", dst: &h.Kid},
		{name: "typ", dst: &h.Typ, present: &h.HasTyp},
		{name: "cty", dst: &h.Cty},
		{name: marker, dst: &h.Marker, present: &h.HasMarker},
	}
	n := len(params)
	if marker == "" {
		n--
	}
	err := scanHeader(b, params[:n])
	switch {
	case err != nil:
		return JWEHeader{}, err
	case h.Alg == "" || h.Enc == "":
		return JWEHeader{}, errors.New("header has no alg or enc")
	case nested && !strings.EqualFold(h.Cty, "JWT"):
		return JWEHeader{}, errors.New("cty is not JWT: the JWE does not hold a JWT")
	}
	return h, nil
}

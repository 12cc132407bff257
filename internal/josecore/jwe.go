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
	names := [...]string{"alg", "enc", "kid", "typ", "cty", marker}
	n := len(names)
	if marker == "" {
		n--
	}
	v, has, err := scanHeader(b, names[:n], "", nil)
	h := JWEHeader{Alg: v[0], Enc: v[1], Kid: v[2], Typ: v[3], HasTyp: has&(1<<3) != 0, Cty: v[4],
		Marker: v[5], HasMarker: has&(1<<5) != 0}
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

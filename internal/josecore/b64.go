package josecore

import (
	"encoding/base64"
	"errors"
	"strings"
)

// strict is unpadded base64url that refuses non-canonical trailing bits.
var strict = base64.RawURLEncoding.Strict()

// ErrBase64 reports a segment that is not canonical unpadded base64url.
var ErrBase64 = errors.New("segment is not canonical unpadded base64url")

// DecodeSegment decodes s as strict unpadded base64url (RFC 7515 §2): padding, line breaks
// (which encoding/base64 would skip) and non-zero trailing bits are refused, so a segment
// has exactly one encoding.
func DecodeSegment(s string) ([]byte, error) { return AppendDecode(nil, s) }

// AppendDecode appends the strict base64url decoding of s to dst (see DecodeSegment).
func AppendDecode(dst []byte, s string) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, ErrBase64
	}
	out, err := strict.AppendDecode(dst, []byte(s))
	if err != nil {
		return nil, ErrBase64
	}
	return out, nil
}

// AppendEncode appends the unpadded base64url encoding of src to dst.
func AppendEncode(dst, src []byte) []byte { return base64.RawURLEncoding.AppendEncode(dst, src) }

// EncodedLen is the length of the unpadded base64url encoding of n bytes.
func EncodedLen(n int) int { return base64.RawURLEncoding.EncodedLen(n) }

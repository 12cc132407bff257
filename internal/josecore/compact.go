package josecore

import "strings"

// SplitJWS cuts a compact JWS (RFC 7515 §7.1) into its three segments. ok is false unless
// there are exactly three, the header and signature are not empty, and no segment holds a
// line break. The payload may be empty (it is for a detached payload, which callers refuse
// by checking their claims).
func SplitJWS(token string) (header, payload, sig string, ok bool) {
	i := strings.IndexByte(token, '.')
	if i <= 0 {
		return "", "", "", false
	}
	j := strings.IndexByte(token[i+1:], '.')
	if j < 0 {
		return "", "", "", false
	}
	j += i + 1
	header, payload, sig = token[:i], token[i+1:j], token[j+1:]
	if sig == "" || strings.IndexByte(sig, '.') >= 0 || strings.ContainsAny(token, "\r\n") {
		return "", "", "", false
	}
	return header, payload, sig, true
}

// SplitJWE cuts a compact JWE (RFC 7516 §7.1) into its five segments: protected header,
// encrypted key, IV, ciphertext and tag. ok is false unless there are exactly five, each is
// strict base64url, and all but the encrypted key (empty for direct key agreement) are not
// empty.
func SplitJWE(token string) (parts [5]string, ok bool) {
	rest := token
	for i := 0; i < 4; i++ {
		d := strings.IndexByte(rest, '.')
		if d < 0 {
			return parts, false
		}
		parts[i], rest = rest[:d], rest[d+1:]
	}
	if strings.IndexByte(rest, '.') >= 0 {
		return parts, false
	}
	parts[4] = rest
	for i, p := range parts {
		if p == "" && i != 1 {
			return parts, false
		}
		if _, err := DecodeSegment(p); err != nil {
			return parts, false
		}
	}
	return parts, true
}

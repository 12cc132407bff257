package josecore

import "errors"

var errDER = errors.New("malformed ECDSA signature")

// RawFromDER converts an ASN.1 DER ECDSA signature, SEQUENCE { INTEGER r, INTEGER s }, as
// crypto/ecdsa makes it, to the fixed-width r||s of RFC 7518 §3.4 with n bytes each.
// Lengths are short or one-byte long form (every curve here has signatures under 256 bytes).
func RawFromDER(der []byte, n int) ([]byte, error) {
	if len(der) < 2 || der[0] != 0x30 {
		return nil, errDER
	}
	body, rest, ok := derValue(der[1:])
	if !ok || len(rest) != 0 {
		return nil, errDER
	}
	out := make([]byte, 2*n)
	for i := 0; i < 2; i++ {
		if len(body) < 2 || body[0] != 0x02 {
			return nil, errDER
		}
		v, rest, ok := derValue(body[1:])
		if !ok {
			return nil, errDER
		}
		for len(v) > 0 && v[0] == 0 {
			v = v[1:]
		}
		if len(v) > n {
			return nil, errDER
		}
		copy(out[i*n+n-len(v):(i+1)*n], v)
		body = rest
	}
	if len(body) != 0 {
		return nil, errDER
	}
	return out, nil
}

// derValue splits the DER length-prefixed value at b into its content and the rest.
func derValue(b []byte) (val, rest []byte, ok bool) {
	if len(b) < 1 {
		return nil, nil, false
	}
	l, b := int(b[0]), b[1:]
	if l == 0x81 {
		if len(b) < 1 || b[0] < 0x80 {
			return nil, nil, false
		}
		l, b = int(b[0]), b[1:]
	} else if l > 0x7f {
		return nil, nil, false
	}
	if l > len(b) {
		return nil, nil, false
	}
	return b[:l], b[l:], true
}

// AppendDER appends the DER form SEQUENCE { INTEGER r, INTEGER s } of the unsigned
// big-endian r and s to b.
func AppendDER(b, r, s []byte) []byte {
	r, s = trimZeros(r), trimZeros(s)
	rl, sl := intLen(r), intLen(s)
	b = append(b, 0x30)
	b = appendLen(b, 1+lenLen(rl)+rl+1+lenLen(sl)+sl)
	b = appendInt(b, r, rl)
	return appendInt(b, s, sl)
}

func trimZeros(x []byte) []byte {
	for len(x) > 0 && x[0] == 0 {
		x = x[1:]
	}
	return x
}

// intLen is the length of the DER INTEGER contents for the unsigned big-endian x.
func intLen(x []byte) int {
	if len(x) == 0 {
		return 1
	}
	if x[0]&0x80 != 0 {
		return len(x) + 1
	}
	return len(x)
}

func lenLen(n int) int {
	if n < 0x80 {
		return 1
	}
	return 2 // every length here is below 256
}

func appendLen(b []byte, n int) []byte {
	if n < 0x80 {
		return append(b, byte(n))
	}
	return append(b, 0x81, byte(n))
}

func appendInt(b, x []byte, n int) []byte {
	b = append(b, 0x02)
	b = appendLen(b, n)
	if len(x) == 0 || x[0]&0x80 != 0 {
		b = append(b, 0)
	}
	return append(b, x...)
}

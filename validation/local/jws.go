package local

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/oauthkit/oauthkit/internal/jsonscan"
)

// b64 is the base64url alphabet without padding, refusing non-canonical trailing bits, so
// that a token has one encoding only.
var b64 = base64.RawURLEncoding.Strict()

// header is the part of a JOSE header the validator reads. Members that would let a token
// name its own key (jku, jwk, x5u, x5c) or change how it is processed (crit, b64, zip) are
// only noted, to refuse tokens that carry them.
type header struct {
	Alg, Kid, Typ string
	// Crit, KeyRef (jku, jwk, x5u, x5c) and Other (b64, zip) record which of those members
	// are present, whatever their value.
	Crit, KeyRef, Other bool
}

var errDuplicateHeader = errors.New("duplicate header parameter")

// parseHeader reads a JOSE header with jsonscan: names are matched exactly and a parameter
// given twice is refused (RFC 7515 §4).
func parseHeader(b []byte, h *header) error {
	sc := jsonscan.New(b)
	var seen uint16
	return sc.Object(func(name []byte) error {
		var bit uint16
		var dst *string
		var flag *bool
		switch string(name) {
		case "alg":
			bit, dst = 1<<0, &h.Alg
		case "kid":
			bit, dst = 1<<1, &h.Kid
		case "typ":
			bit, dst = 1<<2, &h.Typ
		case "crit":
			bit, flag = 1<<3, &h.Crit
		case "jku":
			bit, flag = 1<<4, &h.KeyRef
		case "jwk":
			bit, flag = 1<<5, &h.KeyRef
		case "x5u":
			bit, flag = 1<<6, &h.KeyRef
		case "x5c":
			bit, flag = 1<<7, &h.KeyRef
		case "b64":
			bit, flag = 1<<8, &h.Other
		case "zip":
			bit, flag = 1<<9, &h.Other
		default:
			return sc.Skip()
		}
		if seen&bit != 0 {
			return errDuplicateHeader
		}
		seen |= bit
		if flag != nil {
			*flag = true
			return sc.Skip()
		}
		v, err := sc.String()
		*dst = v
		return err
	})
}

// splitJWS cuts a compact JWS into its three segments. ok is false unless there are exactly
// three, the header and signature are not empty, and no segment holds a line break (which
// the base64 decoder would skip).
func splitJWS(token string) (h, p, s string, ok bool) {
	i := strings.IndexByte(token, '.')
	if i <= 0 {
		return "", "", "", false
	}
	j := strings.IndexByte(token[i+1:], '.')
	if j < 0 {
		return "", "", "", false
	}
	j += i + 1
	h, p, s = token[:i], token[i+1:j], token[j+1:]
	if s == "" || strings.IndexByte(s, '.') >= 0 || strings.ContainsAny(token, "\r\n") {
		return "", "", "", false
	}
	return h, p, s, true
}

// decodeSegment base64url-decodes seg into buf if it fits, or a new slice.
func decodeSegment(seg string, buf []byte) ([]byte, bool) {
	n := b64.DecodedLen(len(seg))
	if n > len(buf) {
		buf = make([]byte, n)
	}
	m, err := b64.Decode(buf[:n], []byte(seg))
	if err != nil {
		return nil, false
	}
	return buf[:m], true
}

// verifySignature checks sig over signingInput with k under alg; the caller has checked
// that alg is allowed and fits k.
func verifySignature(k *Key, alg, signingInput string, sig []byte) bool {
	switch alg {
	case "ES256":
		h := sha256.Sum256([]byte(signingInput))
		return verifyECDSA(k, h[:], sig, 32)
	case "ES384":
		h := sha512.Sum384([]byte(signingInput))
		return verifyECDSA(k, h[:], sig, 48)
	case "ES512":
		h := sha512.Sum512([]byte(signingInput))
		return verifyECDSA(k, h[:], sig, 66)
	case "RS256", "PS256":
		h := sha256.Sum256([]byte(signingInput))
		return verifyRSA(k, alg, crypto.SHA256, h[:], sig)
	case "RS384", "PS384":
		h := sha512.Sum384([]byte(signingInput))
		return verifyRSA(k, alg, crypto.SHA384, h[:], sig)
	case "RS512", "PS512":
		h := sha512.Sum512([]byte(signingInput))
		return verifyRSA(k, alg, crypto.SHA512, h[:], sig)
	case "EdDSA", "Ed25519":
		pub, ok := k.Public.(ed25519.PublicKey)
		return ok && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, []byte(signingInput), sig)
	}
	return false
}

func verifyRSA(k *Key, alg string, h crypto.Hash, digest, sig []byte) bool {
	pub, ok := k.Public.(*rsa.PublicKey)
	if !ok {
		return false
	}
	if alg[0] == 'P' {
		// RFC 7518 §3.5: the salt is as long as the hash.
		return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	}
	return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil
}

// verifyECDSA checks a JWS ECDSA signature, the fixed-width concatenation r||s (RFC 7518
// §3.4), by re-encoding it as ASN.1 DER for ecdsa.VerifyASN1, which also refuses r or s of
// zero or not below the group order. A signature of any other length is refused. High-S
// signatures (r, n−s) are accepted, as RFC 7518 allows and every common signer emits them:
// nothing here depends on a signature being unique.
func verifyECDSA(k *Key, digest, sig []byte, size int) bool {
	pub, ok := k.Public.(*ecdsa.PublicKey)
	if !ok || len(sig) != 2*size {
		return false
	}
	var buf [2*66 + 16]byte
	der := appendDERSignature(buf[:0], sig[:size], sig[size:])
	return ecdsa.VerifyASN1(pub, digest, der)
}

// appendDERSignature appends SEQUENCE { INTEGER r, INTEGER s } in DER.
func appendDERSignature(b, r, s []byte) []byte {
	r, s = trimZeros(r), trimZeros(s)
	rl, sl := intLen(r), intLen(s)
	b = append(b, 0x30)
	b = appendLen(b, 1+lenLen(rl)+rl+1+lenLen(sl)+sl)
	b = appendInt(b, r, rl)
	b = appendInt(b, s, sl)
	return b
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

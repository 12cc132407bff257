package local

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// b64 is the base64url alphabet without padding, refusing non-canonical trailing bits, so
// that a token has one encoding only.
var b64 = base64.RawURLEncoding.Strict()

// header is the part of a JOSE header the validator reads. Members that would let a token
// name its own key (jku, jwk, x5u, x5c) or change how it is processed (crit, b64, zip) are
// kept only to refuse tokens that carry them.
type header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Typ  string          `json:"typ"`
	Cty  string          `json:"cty"`
	Crit json.RawMessage `json:"crit"`
	JKU  json.RawMessage `json:"jku"`
	JWK  json.RawMessage `json:"jwk"`
	X5U  json.RawMessage `json:"x5u"`
	X5C  json.RawMessage `json:"x5c"`
	B64  json.RawMessage `json:"b64"`
	Zip  json.RawMessage `json:"zip"`
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
// zero or not below the group order. A signature of any other length is refused.
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

// Package josecore is the one JOSE implementation of oauthkit, used by the
// authorization-server side (tokenformat/jws, tokenformat/jwe, tokenformat/keyset) and the
// resource-server side (validation/local) alike, so that the hardest vectors we have
// (Wycheproof, fuzzing) run against the code both sides trust. It imports no fosite and no
// oauthkit package above internal/.
//
// It holds compact splitting, strict base64url, the protected-header parser, the signer and
// verifier of the asymmetric JWS algorithms, the ECDSA signature conversion between DER and
// the raw r||s of RFC 7518 §3.4, the checks of a compact JWE envelope, and the refusal of
// keys with the ROCA fingerprint. Errors are plain: callers wrap them in their own sentinel
// (tokenformat.ErrInvalidToken, validation.ErrInvalidToken).
//
// The shortest use, verifying a compact JWS with a known public key:
//
//	h, p, s, ok := josecore.SplitJWS(token)
//	hdr, err := josecore.ParseHeader(h)
//	// … check hdr.Alg against an allow-list, find the key by hdr.Kid …
//	if err := josecore.CheckVerifyKey(hdr.Alg, pub); err != nil { … }
//	sig, err := josecore.DecodeSegment(s)
//	ok = josecore.Verify(hdr.Alg, pub, token[:len(h)+1+len(p)], sig)
package josecore

package jws

import "github.com/go-jose/go-jose/v4"

// VerifyWithKey exposes verifyWithKey to the Wycheproof test.
func VerifyWithKey(f *Format, token string, key *jose.JSONWebKey) ([]byte, error) {
	return f.verifyWithKey(token, key)
}

// RawFromDER and DERFromRaw expose the ECDSA signature conversions to tests.
var (
	RawFromDER = rawFromDER
	DERFromRaw = derFromRaw
)

// Sign exposes the signature of a JWS signing input to tests.
func Sign(alg jose.SignatureAlgorithm, key *jose.JSONWebKey, input []byte) ([]byte, error) {
	s, err := signerFor(alg, key)
	if err != nil {
		return nil, err
	}
	return s.sign(input)
}

package jws

import "github.com/go-jose/go-jose/v4"

// VerifyWithKey exposes verifyWithKey to the Wycheproof test.
func VerifyWithKey(f *Format, token string, key *jose.JSONWebKey) ([]byte, error) {
	return f.verifyWithKey(token, key)
}

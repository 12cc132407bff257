package jwe

import "github.com/go-jose/go-jose/v4"

// DecryptWithKey exposes decryptWithKey to the Wycheproof test.
func DecryptWithKey(f *Format, token string, key *jose.JSONWebKey) ([]byte, error) {
	return f.decryptWithKey(token, key)
}

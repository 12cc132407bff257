// Package wycheproofjose reads the JOSE vectors of github.com/c2sp/wycheproof (JWS, JWE and
// JWK files) into flat cases, so that every implementation that verifies or decrypts — the
// JOSE core, the jws and jwe formats, the resource server's local validator — runs the same
// vectors with one loop. It is imported only by tests.
package wycheproofjose

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/c2sp/wycheproof"
)

// Case is one vector: a token, the key (or key set) to check it with, and Wycheproof's
// verdict.
type Case struct {
	// TcID and Comment identify the vector; Group is its group's comment.
	TcID           int
	Comment, Group string
	// Key is the group's JWK, or its JWK Set for the JWK file; Private says it holds
	// private keys.
	Key     json.RawMessage
	Private bool
	// PrivateKey is the group's private JWK (or set), nil when it has none.
	PrivateKey json.RawMessage
	// Token is the compact serialization, or the raw JSON of a JSON-serialized vector.
	Token string
	// Plaintext is the hex plaintext of a JWE vector.
	Plaintext string
	// Result is "valid", "invalid" or "acceptable".
	Result string
	// KeyAlg is the key's alg ("" when the key has none); Alg and Enc come from the
	// token's protected header.
	KeyAlg, Alg, Enc string
}

// Files are the JOSE vector files.
const (
	JWS = "json_web_signature_test.json"
	JWE = "json_web_encryption_test.json"
	JWK = "json_web_key_test.json"
)

// Load returns the cases of one file.
func Load(name string) ([]Case, error) {
	data, err := fs.ReadFile(wycheproof.TestVectors, name)
	if err != nil {
		return nil, err
	}
	var file struct {
		TestGroups []struct {
			Comment string          `json:"comment"`
			Public  json.RawMessage `json:"public"`
			Private json.RawMessage `json:"private"`
			Tests   []struct {
				TcID    int             `json:"tcId"`
				Comment string          `json:"comment"`
				JWS     json.RawMessage `json:"jws"`
				JWE     json.RawMessage `json:"jwe"`
				PT      string          `json:"pt"`
				Result  string          `json:"result"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []Case
	for _, g := range file.TestGroups {
		key, private := g.Public, false
		if key == nil {
			key, private = g.Private, true
		}
		var meta struct {
			Alg string `json:"alg"`
		}
		_ = json.Unmarshal(key, &meta)
		for _, tc := range g.Tests {
			raw := tc.JWS
			if raw == nil {
				raw = tc.JWE
			}
			var token string
			if json.Unmarshal(raw, &token) != nil {
				token = string(raw)
			}
			c := Case{TcID: tc.TcID, Comment: tc.Comment, Group: g.Comment, Key: key, Private: private, PrivateKey: g.Private,
				Token: token, Plaintext: tc.PT, Result: tc.Result, KeyAlg: meta.Alg}
			c.Alg, c.Enc = header(token)
			out = append(out, c)
		}
	}
	return out, nil
}

// header reads alg and enc from a compact token's protected header, leniently.
func header(token string) (alg, enc string) {
	seg, _, _ := strings.Cut(token, ".")
	js, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return "", ""
	}
	var h struct{ Alg, Enc string }
	_ = json.Unmarshal(js, &h)
	return h.Alg, h.Enc
}

// PublicSet returns key (a JWK or a JWK Set) as the JWKS an authorization server would
// publish for it: every key that has a public half, as that half; symmetric keys dropped.
func PublicSet(key json.RawMessage) []byte {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if json.Unmarshal(key, &set) != nil || set.Keys == nil {
		set.Keys = []json.RawMessage{key}
	}
	var out []json.RawMessage
	for _, raw := range set.Keys {
		var m map[string]any
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		if m["kty"] == "oct" {
			continue
		}
		for _, priv := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			delete(m, priv)
		}
		if ops, ok := m["key_ops"].([]any); ok {
			var pub []any
			for _, op := range ops {
				switch op {
				case "sign":
					pub = append(pub, "verify")
				case "decrypt":
					pub = append(pub, "encrypt")
				case "unwrapKey":
					pub = append(pub, "wrapKey")
				default:
					pub = append(pub, op)
				}
			}
			m["key_ops"] = pub
		}
		js, _ := json.Marshal(m)
		out = append(out, js)
	}
	js, _ := json.Marshal(map[string]any{"keys": out})
	return js
}

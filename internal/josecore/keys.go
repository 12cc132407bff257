package josecore

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// Unusable is a loader's rule for a key it cannot use. There are two, and each loader names
// its own: a JWK Set fetched from a remote party may carry keys of kinds this party does not
// use, which are skipped (RFC 7517 §5: "implementations SHOULD ignore JWKs within a JWK Set
// that use kty values that are not understood"); a key file the operator gives is meant to be
// used whole, so a key in it that cannot be used refuses the file.
type Unusable int

const (
	// Refuse fails the whole set on the first key that cannot be used.
	Refuse Unusable = iota
	// Skip leaves out keys that cannot be used (parse's error matches ErrUnusable); other
	// errors (a weak key, a contradictory one) still refuse the set, and it still needs one
	// usable key.
	Skip
)

// ErrUnusable marks a parse error for a key this party cannot use (another kty, another use,
// a private key in a public set, …), which the Skip rule skips.
var ErrUnusable = errors.New("key this party cannot use")

// MaxJWKSKeys bounds the number of keys in a JWK Set.
const MaxJWKSKeys = 100

// Errors of the loader.
var (
	// ErrJWKSSyntax reports a document that is not a JWK Set.
	ErrJWKSSyntax = errors.New("not a JSON Web Key Set")
	// ErrDuplicateKID reports two usable keys with one kid.
	ErrDuplicateKID = errors.New("kid appears twice in the JWK Set")
	// ErrNoUsableKey reports a set left empty.
	ErrNoUsableKey = errors.New("no usable key in the JWK Set")
)

// ReadJWKS is the one JWK Set loader: it splits data into its keys (at most MaxJWKSKeys),
// hands each to parse — which returns the loaded key and its kid, or an error for a key the
// party cannot use — and applies rule to those errors. A kid given by two usable keys
// refuses the set under either rule, and so does a set with no usable key. alone tells parse
// that the set has exactly one key (a key without kid may then be named by its thumbprint).
// An error for a refused key wraps parse's error with the key's index.
func ReadJWKS[K any](data []byte, rule Unusable, parse func(raw json.RawMessage, alone bool) (K, string, error)) ([]K, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrJWKSSyntax, err)
	}
	if set.Keys == nil {
		return nil, fmt.Errorf("%w: no \"keys\" member", ErrJWKSSyntax)
	}
	if len(set.Keys) > MaxJWKSKeys {
		return nil, fmt.Errorf("%w: more than %d keys", ErrJWKSSyntax, MaxJWKSKeys)
	}
	var out []K
	seen := make(map[string]bool, len(set.Keys))
	for i, raw := range set.Keys {
		k, kid, err := parse(raw, len(set.Keys) == 1)
		if err != nil {
			if rule == Skip && errors.Is(err, ErrUnusable) {
				continue
			}
			return nil, fmt.Errorf("JWKS key %d: %w", i, err)
		}
		if seen[kid] {
			return nil, fmt.Errorf("%w: %q", ErrDuplicateKID, truncate(kid))
		}
		seen[kid] = true
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, ErrNoUsableKey
	}
	return out, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// keyOpsFor are the RFC 7517 §4.3 operations of each use.
var keyOpsFor = map[string][]string{
	"sig": {"sign", "verify"},
	"enc": {"encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits"},
}

// Errors of CheckKeyOps.
var (
	// ErrKeyOps reports key_ops that contradict what a key is loaded for.
	ErrKeyOps = errors.New("key_ops do not fit the key's use")
	// ErrKeyOpsRepeat reports key_ops that name an operation twice (malformed, §4.3).
	ErrKeyOpsRepeat = errors.New("key_ops repeat an operation")
)

// CheckKeyOps is the one rule for a JWK's key_ops (RFC 7517 §4.3): nil passes; otherwise
// every operation belongs to use ("sig" or "enc"), none repeats, and one of need — what the
// key is loaded for ("verify" for a public signature key, "sign" for a private one, …) — is
// present.
func CheckKeyOps(ops []string, use string, need ...string) error {
	if ops == nil {
		return nil
	}
	allowed := keyOpsFor[use]
	for i, op := range ops {
		if !slices.Contains(allowed, op) {
			return fmt.Errorf("%w: %q is not an operation of use %q", ErrKeyOps, truncate(op), use)
		}
		if slices.Contains(ops[:i], op) {
			return fmt.Errorf("%w: %q", ErrKeyOpsRepeat, op)
		}
	}
	if !slices.ContainsFunc(ops, func(op string) bool { return slices.Contains(need, op) }) {
		return fmt.Errorf("%w: %q allow none of %q", ErrKeyOps, ops, need)
	}
	return nil
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of key, base64url-encoded: the kid of a
// key loaded without one.
func Thumbprint(key any) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: PublicKey(key)}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

package validation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Claims is what a validated access token says: the RFC 9068 / RFC 7662 claims every
// validator fills in, and the whole claim set as received for anything else.
//
// A validator may hand the same *Claims to many requests (from a cache): treat it as
// read-only.
type Claims struct {
	// Issuer is iss, the authorization server that issued the token.
	Issuer string
	// Subject is sub: the resource owner, or the client itself for client_credentials.
	Subject string
	// Audience is aud, the resource identifiers the token is meant for.
	Audience []string
	// ClientID is client_id, the client the token was issued to.
	ClientID string
	// Scope is scope, the granted scopes separated by single spaces.
	Scope string
	// JTI is jti, the token's unique identifier.
	JTI string
	// IssuedAt, ExpiresAt and NotBefore are iat, exp and nbf; zero when absent.
	IssuedAt, ExpiresAt, NotBefore time.Time
	// AuthTime is auth_time, when the resource owner authenticated; zero when absent.
	AuthTime time.Time
	// Raw is the token's whole claim set (or introspection answer) as a JSON object, so
	// that extra claims can be read with Extra.
	Raw json.RawMessage
}

// Scopes returns the granted scopes as a list.
func (c *Claims) Scopes() []string { return strings.Fields(c.Scope) }

// HasScope reports whether every one of scopes was granted. Scope names are compared
// exactly (RFC 6749 §3.3: they are case-sensitive).
func (c *Claims) HasScope(scopes ...string) bool {
	for _, want := range scopes {
		if !hasField(c.Scope, want) {
			return false
		}
	}
	return true
}

func hasField(list, want string) bool {
	if want == "" {
		return false
	}
	for list != "" {
		var f string
		f, list, _ = strings.Cut(list, " ")
		if f == want {
			return true
		}
	}
	return false
}

// HasAudience reports whether the token is meant for aud.
func (c *Claims) HasAudience(aud string) bool { return slices.Contains(c.Audience, aud) }

// Extra decodes the claim called name from Raw into v, as json.Unmarshal would. It reports
// false when the token carries no such claim.
func (c *Claims) Extra(name string, v any) (bool, error) {
	if len(c.Raw) == 0 {
		return false, nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(c.Raw, &all); err != nil {
		return false, fmt.Errorf("validation: claims: %w", err)
	}
	raw, ok := all[name]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("validation: claim %q: %w", name, err)
	}
	return true, nil
}

package introspection

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/internal/claimset"
)

// errMalformed reports an answer that is not an RFC 7662 §2.2 introspection response.
var errMalformed = errors.New("introspection: malformed answer")

// ParseResponse reads an RFC 7662 §2.2 introspection answer. An answer of active true
// returns its claims (Raw holds the whole answer); active false returns an error matching
// validation.ErrInvalidToken, as does an active answer for a refresh token (token_type
// refresh_token). Anything that is not a JSON object with a boolean active member, or whose
// standard members have the wrong types, is a malformed answer: an error that matches
// neither ErrInvalidToken nor ErrUnavailable (Validate reports it as unavailable).
func ParseResponse(data []byte) (*validation.Claims, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", errMalformed)
	}
	var r struct {
		claimset.Set
		Active    *bool  `json:"active"`
		TokenType string `json:"token_type"`
		Username  string `json:"username"`
	}
	if err := json.Unmarshal(trimmed, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	switch {
	case r.Active == nil:
		return nil, fmt.Errorf("%w: no boolean active member", errMalformed)
	case !*r.Active:
		return nil, fmt.Errorf("%w: inactive", validation.ErrInvalidToken)
	case r.TokenType == "refresh_token":
		return nil, fmt.Errorf("%w: a refresh token, not an access token", validation.ErrInvalidToken)
	}
	return r.Set.Claims(bytes.Clone(trimmed)), nil
}

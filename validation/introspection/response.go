package introspection

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/oauthkit/oauthkit/internal/claimset"
	"github.com/oauthkit/oauthkit/internal/jsonscan"
	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/internal/rsclaims"
)

// errMalformed reports an answer that is not an RFC 7662 §2.2 introspection response.
var errMalformed = errors.New("introspection: malformed answer")

// ParseResponse reads an RFC 7662 §2.2 introspection answer. An answer of active true
// returns its claims (Raw holds the whole answer); active false returns an error matching
// validation.ErrInvalidToken, as does an active answer whose token_type is present and names
// something other than an access token (refresh_token, Keycloak's Refresh, id_token…):
// access_token, Bearer, DPoP and the RFC 8693 access-token URI are accepted, in any case. Anything that is not a JSON object with a boolean active member, or whose
// standard members have the wrong types, is a malformed answer: an error that matches
// neither ErrInvalidToken nor ErrUnavailable (Validate reports it as unavailable).
func ParseResponse(data []byte) (*validation.Claims, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", errMalformed)
	}
	var set claimset.Set
	var active, haveActive bool
	var tokenType string
	var seen uint8
	err := set.Parse(trimmed, func(name []byte, sc *jsonscan.Scanner) error {
		var bit uint8
		switch string(name) {
		case "active":
			bit = 1
		case "token_type":
			bit = 2
		default:
			return sc.Skip()
		}
		if seen&bit != 0 {
			return errors.New("duplicate member")
		}
		seen |= bit
		if bit == 1 {
			var err error
			active, err = sc.Bool()
			haveActive = err == nil
			return err
		}
		if sc.IsNull() {
			return nil
		}
		var err error
		tokenType, err = sc.String()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	switch {
	case !haveActive:
		return nil, fmt.Errorf("%w: no boolean active member", errMalformed)
	case !active:
		return nil, fmt.Errorf("%w: inactive", validation.ErrInvalidToken)
	case tokenType != "" && !accessTokenType(tokenType):
		return nil, fmt.Errorf("%w: token_type says it is not an access token", validation.ErrInvalidToken)
	}
	return rsclaims.From(&set, bytes.Clone(trimmed)), nil
}

// accessTokenType reports whether an answer's token_type names an access token. RFC 7662
// §2.2 defines the member as the RFC 6749 §7.1 access token type ("Bearer", "DPoP"); servers
// also send the kind of token ("access_token", as oauthkit and Ory Hydra do, or the RFC 8693
// §3 URI), and some send a refresh token's kind ("refresh_token", Keycloak's "Refresh").
// Only the access-token spellings are accepted, case-insensitively; anything else is some
// other kind of token and must not open a resource.
func accessTokenType(t string) bool {
	for _, ok := range []string{"access_token", "bearer", "dpop", "urn:ietf:params:oauth:token-type:access_token"} {
		if strings.EqualFold(t, ok) {
			return true
		}
	}
	return false
}

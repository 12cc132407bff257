package fositeadapter

import (
	"slices"

	"github.com/ory/fosite"
)

// narrowScope grants a refresh request's access token only the scopes the client asked for
// (RFC 6749 §6): each must be among those the refresh token was granted, or the request is
// invalid_scope. The rotated refresh token keeps the original scope, as §6 requires. Call it
// after fosite's NewAccessRequest has accepted the refresh token and before
// NewAccessResponse; an empty scopes leaves the request as it is.
func narrowScope(ar fosite.AccessRequester, scopes []string) error {
	if len(scopes) == 0 {
		return nil
	}
	granted := slices.Clone([]string(ar.GetGrantedScopes()))
	for _, sc := range scopes {
		if !slices.Contains(granted, sc) {
			return fosite.ErrInvalidScope.WithHintf("The scope %q was not granted to this refresh token.", sc)
		}
	}
	r, ok := ar.(*fosite.AccessRequest)
	if !ok {
		return fosite.ErrServerError.WithDebug("narrowScope: not a *fosite.AccessRequest")
	}
	s, ok := r.GetSession().(*Session)
	if !ok {
		return fosite.ErrServerError.WithDebug("narrowScope: not an oauthkit session")
	}
	s.refreshScopes = granted
	r.GrantedScope = fosite.Arguments(slices.Compact(slices.Clone(scopes)))
	return nil
}

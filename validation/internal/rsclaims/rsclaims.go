// Package rsclaims turns a claim set read by internal/claimset into validation.Claims, for
// the resource-server validators (local and introspection). It lives apart from claimset so
// that the authorization-server side, which reads claims with claimset too, links nothing of
// validation.
package rsclaims

import (
	"github.com/oauthkit/oauthkit/internal/claimset"
	"github.com/oauthkit/oauthkit/validation"
)

// From returns s as validation.Claims, keeping raw as the claim set's JSON.
func From(s *claimset.Set, raw []byte) *validation.Claims {
	return &validation.Claims{
		Issuer:    s.Issuer,
		Subject:   s.Subject,
		Audience:  s.Audience,
		ClientID:  s.ClientID,
		Scope:     s.Scope,
		JTI:       s.JTI,
		IssuedAt:  s.IssuedAt.Time(),
		ExpiresAt: s.ExpiresAt.Time(),
		NotBefore: s.NotBefore.Time(),
		AuthTime:  s.AuthTime.Time(),
		Raw:       raw,
	}
}

package fositeadapter

import (
	"context"
	"strings"

	"github.com/ory/fosite"
)

// Refresh tokens and authorization codes are always opaque and stored: fosite's HMAC
// strategy ("ory_rt_…", "ory_ac_…", a random value and its HMAC-SHA512/256 tag under the
// configured global secret), stored under the tag. A string without the right prefix is
// refused before any store read, so an access token presented as a refresh token (or the
// other way round, at revocation) never reaches the wrong table.
const (
	refreshPrefix = "ory_rt_"
	codePrefix    = "ory_ac_"
)

// RefreshTokenSignature returns the storage key of a refresh token, "" if it is not one.
func (a *adapter) RefreshTokenSignature(ctx context.Context, token string) string {
	if !strings.HasPrefix(token, refreshPrefix) || len(token) > MaxTokenLen {
		return ""
	}
	return a.hmac.RefreshTokenSignature(ctx, token)
}

// GenerateRefreshToken makes a refresh token.
func (a *adapter) GenerateRefreshToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	return a.hmac.GenerateRefreshToken(ctx, r)
}

// ValidateRefreshToken checks a refresh token's tag and expiry.
func (a *adapter) ValidateRefreshToken(ctx context.Context, r fosite.Requester, token string) error {
	return a.hmac.ValidateRefreshToken(ctx, r, token)
}

// AuthorizeCodeSignature returns the storage key of a code, "" if it is not one.
func (a *adapter) AuthorizeCodeSignature(ctx context.Context, token string) string {
	if !strings.HasPrefix(token, codePrefix) || len(token) > MaxTokenLen {
		return ""
	}
	return a.hmac.AuthorizeCodeSignature(ctx, token)
}

// GenerateAuthorizeCode makes an authorization code.
func (a *adapter) GenerateAuthorizeCode(ctx context.Context, r fosite.Requester) (string, string, error) {
	return a.hmac.GenerateAuthorizeCode(ctx, r)
}

// ValidateAuthorizeCode checks a code's tag and expiry.
func (a *adapter) ValidateAuthorizeCode(ctx context.Context, r fosite.Requester, token string) error {
	return a.hmac.ValidateAuthorizeCode(ctx, r, token)
}

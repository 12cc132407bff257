package fositeadapter

import (
	"context"
	"errors"
	"slices"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/authz"
)

// jwtBearerGrant applies the server's policy to an RFC 7523 grant fosite has verified: the
// JWTBearerPolicy decides whether the authenticated client may present this issuer's
// assertion about this subject, and the token's audience is the one the client requested
// within its registration, or its default, never the assertion's aud (which names this
// server, and whatever else the assertion's signer chose).
func (h *Handler) jwtBearerGrant(ctx context.Context, ar fosite.AccessRequester, sess *Session) error {
	fc, ok := ar.GetClient().(*Client)
	if !ok {
		return fosite.ErrServerError.WithDebug("jwt-bearer: the authenticated client is not an oauthkit client")
	}
	issuer, err := unverifiedIssuer(ar.GetRequestForm().Get("assertion"))
	if err != nil {
		return fosite.ErrInvalidGrant.WithHint("The assertion could not be read.")
	}
	req := authz.JWTBearerRequest{
		Client:  fc.Provider(),
		Issuer:  issuer,
		Subject: sess.Subject,
		Scopes:  slices.Clone([]string(ar.GetRequestedScopes())),
	}
	if !h.cfg.JWTBearerPolicy(ctx, req) {
		return fosite.ErrInvalidGrant.WithHint("This client may not present assertions of this issuer about this subject.")
	}
	if err := h.fcfg.GetAudienceStrategy(ctx)(ar.GetClient().GetAudience(), ar.GetRequestedAudience()); err != nil {
		return fosite.ErrInvalidRequest.WithHint("An audience was requested that the client may not request.")
	}
	if r, ok := ar.(*fosite.AccessRequest); ok {
		r.GrantedAudience = nil
	}
	grantAudience(ar, ar.GetRequestedAudience())
	return nil
}

// unverifiedIssuer returns the iss claim of an assertion whose signature fosite has already
// verified; an algorithm outside assertionAlgs is refused here as well.
func unverifiedIssuer(assertion string) (string, error) {
	tok, err := jwt.ParseSigned(assertion, assertionAlgs)
	if err != nil {
		return "", err
	}
	var claims jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return "", err
	}
	if claims.Issuer == "" {
		return "", errors.New("no iss claim")
	}
	return claims.Issuer, nil
}

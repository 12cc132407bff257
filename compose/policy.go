package compose

import (
	"context"
	"errors"
	"slices"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/ory/fosite"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/provider"
)

// JWTBearerRequest is what a JWTBearerPolicy sees of an RFC 7523 §2.1 authorization grant
// whose assertion has been verified: signed by one of the issuer's registered keys, for this
// server, unexpired and not replayed.
type JWTBearerRequest struct {
	// Client is the client that authenticated at the token endpoint and will receive the
	// token. It is never nil.
	Client *provider.Client
	// Issuer is the assertion's iss: the registered client whose key signed it.
	Issuer string
	// Subject is the assertion's sub: the principal the token will be issued for.
	Subject string
	// Scopes are the scopes the request asks for (already within the client's registered
	// scopes).
	Scopes []string
}

// JWTBearerPolicy decides whether a verified RFC 7523 assertion may be exchanged for an
// access token. It returns true to allow. Which subjects an issuer may assert, and which
// clients may present whose assertions, is the server's policy (RFC 7523 §3, RFC 7591 §5):
// nothing a client registered about itself widens it.
type JWTBearerPolicy func(ctx context.Context, req JWTBearerRequest) bool

// SelfAssertionsOnly is the default JWTBearerPolicy: a client may present only assertions it
// issued about itself (iss = sub = its client_id), which grants nothing client_credentials
// would not. Assertions about any other subject are refused.
func SelfAssertionsOnly(_ context.Context, req JWTBearerRequest) bool {
	return req.Issuer == req.Client.ID && req.Subject == req.Client.ID
}

// jwtBearerGrant applies the server's policy to an RFC 7523 grant fosite has verified: the
// JWTBearerPolicy decides whether the authenticated client may present this issuer's
// assertion about this subject, and the token's audience is the one the client requested
// within its registration, or its default, never the assertion's aud (which names this
// server, and whatever else the assertion's signer chose).
func (s *Server) jwtBearerGrant(ctx context.Context, ar fosite.AccessRequester, sess *fositeadapter.Session) error {
	fc, ok := ar.GetClient().(*fositeadapter.Client)
	if !ok {
		return fosite.ErrServerError.WithDebug("jwt-bearer: the authenticated client is not an oauthkit client")
	}
	issuer, err := unverifiedIssuer(ar.GetRequestForm().Get("assertion"))
	if err != nil {
		return fosite.ErrInvalidGrant.WithHint("The assertion could not be read.")
	}
	req := JWTBearerRequest{
		Client:  fc.Provider(),
		Issuer:  issuer,
		Subject: sess.Subject,
		Scopes:  slices.Clone([]string(ar.GetRequestedScopes())),
	}
	if !s.cfg.JWTBearerPolicy(ctx, req) {
		return fosite.ErrInvalidGrant.WithHint("This client may not present assertions of this issuer about this subject.")
	}
	if err := s.fcfg.GetAudienceStrategy(ctx)(ar.GetClient().GetAudience(), ar.GetRequestedAudience()); err != nil {
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

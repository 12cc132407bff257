package compose

import (
	"context"

	"github.com/oauthkit/oauthkit/adapters/authz"
)

// Grant types a server can enable (authz.Grant*).
const (
	GrantAuthorizationCode = authz.GrantAuthorizationCode
	GrantClientCredentials = authz.GrantClientCredentials
	GrantRefreshToken      = authz.GrantRefreshToken
	GrantJWTBearer         = authz.GrantJWTBearer
)

// The hooks a Server calls, defined in adapters/authz so that the protocol adapter can call
// them without importing compose; see each type there.
type (
	// AuthorizeRequest is what a LoginHandler sees of a validated authorization request.
	AuthorizeRequest = authz.AuthorizeRequest
	// Consent is a LoginHandler's answer: who the resource owner is and what they granted.
	Consent = authz.Consent
	// LoginHandler authenticates the resource owner and obtains their consent.
	LoginHandler = authz.LoginHandler
	// LoginFunc adapts a function to a LoginHandler.
	LoginFunc = authz.LoginFunc
	// JWTBearerRequest is what a JWTBearerPolicy sees of a verified RFC 7523 grant.
	JWTBearerRequest = authz.JWTBearerRequest
	// JWTBearerPolicy decides whether a verified RFC 7523 assertion may be exchanged.
	JWTBearerPolicy = authz.JWTBearerPolicy
	// IntrospectionPolicy decides whether an authenticated client may learn about a token.
	IntrospectionPolicy = authz.IntrospectionPolicy
	// IntrospectedToken is what an IntrospectionPolicy knows about an active access token.
	IntrospectedToken = authz.IntrospectedToken
)

// SelfAssertionsOnly is the default JWTBearerPolicy (authz.SelfAssertionsOnly): a client may
// present only assertions it issued about itself.
func SelfAssertionsOnly(ctx context.Context, req JWTBearerRequest) bool {
	return authz.SelfAssertionsOnly(ctx, req)
}

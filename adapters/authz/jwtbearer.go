package authz

import (
	"context"

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

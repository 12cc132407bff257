package authz

import (
	"context"
	"time"

	"github.com/oauthkit/oauthkit/provider"
)

// IntrospectionPolicy decides whether caller, a confidential client that authenticated at
// the introspection endpoint, may learn about token (see compose.Config.IntrospectionPolicy). It is
// called for active access tokens only, concurrently, and must not change caller.
type IntrospectionPolicy func(ctx context.Context, caller *provider.Client, token IntrospectedToken) bool

// IntrospectedToken is what an IntrospectionPolicy knows about an active access token.
type IntrospectedToken struct {
	// ClientID is the client the token was issued to.
	ClientID string
	// Subject is the resource owner, or the client itself for client_credentials.
	Subject string
	// Scopes are the granted scopes.
	Scopes []string
	// Audience are the resources the token is meant for (its aud).
	Audience []string
	// ExpiresAt is when the token expires.
	ExpiresAt time.Time
}

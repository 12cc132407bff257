// Package authz holds the types an authorization server's integrator plugs in and the grant
// types it names, free of any protocol engine: the login and consent hook of the
// authorization endpoint (LoginHandler), the RFC 7523 assertion policy (JWTBearerPolicy) and
// the introspection policy (IntrospectionPolicy). compose re-exports every name here by
// alias, and adapters/fosite calls the hooks without importing compose.
//
//	srv, err := compose.New(ctx, compose.Config{
//		Grants: []string{authz.GrantClientCredentials, authz.GrantRefreshToken},
//		JWTBearerPolicy: authz.SelfAssertionsOnly,
//		…
//	})
package authz

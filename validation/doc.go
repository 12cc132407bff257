// Package validation is how a resource server decides that an access token is good: the
// Validator contract (one method), the Claims a validated token carries, a Chain that routes a
// token to a validator by its shape, and a net/http Middleware that answers RFC 6750 errors and
// puts the validated claims in the request context.
//
// The validators themselves live in sub-packages: local checks JWT access tokens (RFC 9068)
// against static or remote keys with no call per request; introspection asks the
// authorization server (RFC 7662) and caches its answers. This package imports only the
// standard library, so a resource server that imports it (and those) links no protocol
// engine.
//
// The shortest use:
//
//	keys, _ := local.Discover(issuer, local.RemoteOptions{})
//	v, _ := local.New(issuer, "api", []string{"ES256"}, keys, local.Options{})
//	mw := validation.Middleware(v, validation.Options{})
//	http.Handle("/hello", mw(hello))
//	http.Handle("/write", mw(validation.RequireScope("write")(write)))
//
// and inside a handler:
//
//	claims, _ := validation.FromContext(r.Context())
package validation

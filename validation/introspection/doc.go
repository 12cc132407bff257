// Package introspection validates access tokens by asking the authorization server: an RFC
// 7662 client that authenticates itself (client_secret_basic or client_secret_post), caches
// the answers in a bounded ristretto cache, and coalesces concurrent lookups of one token
// into one request.
//
// An active answer is cached until the earlier of the token's exp and Options.MaxTTL; an
// inactive one for Options.InactiveTTL. An authorization server that cannot be reached, is
// too slow, or answers with an error status or a malformed document makes Validate return
// validation.ErrUnavailable (the middleware answers 503), never ErrInvalidToken: only an
// answer of active false (or one that fails the configured checks) makes a token invalid.
//
// The answer must name this resource server in aud (Options.Audience, required) and, when
// token_type is present, an access token: an active refresh token is refused.
//
//	v, err := introspection.New("https://as.example.com/introspect", "api", secret,
//		introspection.Options{Audience: "https://api.example.com", Issuer: "https://as.example.com"})
//	defer v.Close()
//	handler := validation.Middleware(v, validation.Options{})(mux)
package introspection

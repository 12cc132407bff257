package validation

import "errors"

// Errors a Validator returns, wrapped with detail that never includes the token. The
// Middleware maps them to HTTP answers: ErrInvalidToken (and ErrExpired) to 401
// invalid_token, ErrUnavailable to 503, anything else to 500.
var (
	// ErrInvalidToken reports a token that is malformed, forged, made with an unknown key,
	// not meant for this resource, expired, or reported inactive by the authorization server.
	ErrInvalidToken = errors.New("validation: invalid token")

	// ErrUnavailable reports that the token could not be judged because something the
	// validator depends on (the authorization server's JWKS or introspection endpoint) could
	// not be reached or answered with an error. The token may be good: retrying later may
	// succeed. It is never reported for a token the validator knows to be bad.
	ErrUnavailable = errors.New("validation: authorization server unavailable")

	// ErrExpired reports an authentic token whose expiry has passed. It matches
	// ErrInvalidToken too, so callers that only care whether a token is good need not test
	// for it.
	ErrExpired error = expiredError{}
)

type expiredError struct{}

func (expiredError) Error() string { return "validation: token expired" }

// Is makes ErrExpired match ErrInvalidToken.
func (expiredError) Is(target error) bool { return target == ErrInvalidToken }

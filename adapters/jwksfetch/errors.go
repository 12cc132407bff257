package jwksfetch

import "errors"

// The errors a Fetcher returns, matched with errors.Is. Their messages are fixed: none
// carries what a remote answered, so they may reach a client without making the server an
// oracle for scanning the networks it can reach.
var (
	// ErrInvalidURI: the jwks_uri is not an absolute https URL (or loopback http when
	// allowed) without user information and fragment.
	ErrInvalidURI = errors.New("jwksfetch: jwks_uri must be an absolute https URL without user information or fragment")
	// ErrForbiddenAddress: the jwks_uri's host is, or resolves to, an address the policy
	// refuses (private, loopback, link-local, metadata…). No connection was made.
	ErrForbiddenAddress = errors.New("jwksfetch: jwks_uri host is not a public address")
	// ErrTooLarge: the answer was larger than Options.MaxBytes.
	ErrTooLarge = errors.New("jwksfetch: JWK Set too large")
	// ErrFetch: the set could not be fetched: no connection, timeout, a redirect, or an
	// answer other than 200.
	ErrFetch = errors.New("jwksfetch: JWK Set could not be fetched")
	// ErrInvalidSet: the answer is not a JWK Set with at least one usable public key.
	ErrInvalidSet = errors.New("jwksfetch: not a JWK Set with a public key")
)

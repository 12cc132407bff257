package provider

import "errors"

// Sentinel errors. Back ends wrap them with context ("sqlstore: token: %w") and callers match
// them with errors.Is. None of them is an OAuth error: adapters translate them at the HTTP edge.
var (
	// ErrNotFound reports that no live record, client, key set or deny-list entry exists under
	// the given name. An expired record reads as ErrNotFound.
	ErrNotFound = errors.New("provider: not found")

	// ErrAlreadyUsed reports that an authorization code was already redeemed or a refresh
	// token was already rotated. The operation that returns it also returns the record, so
	// that the caller can revoke what the first use produced.
	ErrAlreadyUsed = errors.New("provider: already used")

	// ErrConflict reports that a create found an existing live entry under the same name, or
	// that a compare-and-swap (SaveKeySet) lost to a concurrent writer.
	ErrConflict = errors.New("provider: conflict")

	// ErrGrantRevoked reports that CreateToken was refused because the record's grant was
	// revoked whole, by refresh-token reuse detection or by RevokeGrant without kinds, or
	// because its client was deleted (ClientManager.DeleteClient). The request that tried to
	// mint the token should fail with invalid_grant. RotateRefreshToken also returns it,
	// joined with ErrAlreadyUsed, when the reuse it detected revoked the grant.
	ErrGrantRevoked = errors.New("provider: grant revoked")

	// ErrInvalid reports a value that a store refuses to keep: an empty key or id, a record
	// without an expiry, a kind outside the allowed alphabet. It is a programming error in the
	// caller, never a transient condition.
	ErrInvalid = errors.New("provider: invalid value")

	// ErrUnavailable reports that the back end could not be reached or did not answer in time.
	// The operation may succeed if retried once the back end is back.
	ErrUnavailable = errors.New("provider: back end unavailable")
)

package provider

import (
	"context"
	"time"
)

// ClientReader reads registered clients. It is the capability a token endpoint needs.
type ClientReader interface {
	// Client returns the client with the given ID, or ErrNotFound.
	Client(ctx context.Context, id string) (*Client, error)
}

// ClientManager manages registered clients, as dynamic registration (RFC 7591/7592) does.
type ClientManager interface {
	ClientReader
	// CreateClient stores a new client. It returns ErrConflict if the ID is taken.
	CreateClient(ctx context.Context, c *Client) error
	// UpdateClient replaces a stored client. It returns ErrNotFound if there is none.
	UpdateClient(ctx context.Context, c *Client) error
	// DeleteClient removes a client and revokes everything issued to it (RFC 7592 §2.3):
	// every record whose ClientID is id is deleted, and the client is marked revoked, so
	// that CreateToken refuses records of the client with ErrGrantRevoked for
	// MinRevokedMarker. A store writes the mark before it deletes, and CreateToken checks
	// the mark after it writes (deleting what it wrote if the mark is there), as with
	// GrantRevoker: a token minted by a request racing the deletion does not survive it.
	//
	// It returns ErrNotFound if there is no such client, having still revoked whatever
	// records of id remain, so that calling it again after a failure midway finishes the
	// job. Recreating the ID within MinRevokedMarker leaves the new client unable to get
	// tokens until the mark expires: the safe side of the race.
	DeleteClient(ctx context.Context, id string) error
	// ListClients returns up to limit clients whose IDs sort after the given ID, in ascending
	// byte order of ID (not a collation); pass "" to start at the beginning. A limit ≤ 0
	// means 100; a store may cap larger limits at 1000.
	ListClients(ctx context.Context, after string, limit int) ([]*Client, error)
}

// TokenStore keeps the records behind tokens and codes, by kind and key.
type TokenStore interface {
	// CreateToken stores a copy of r and leaves r unchanged. It returns ErrConflict if a live
	// record of the same kind and key exists (an expired one is replaced), ErrInvalid if r
	// fails Record.Validate, and ErrGrantRevoked, storing nothing, if r's grant was revoked
	// whole (see GrantRevoker) — so that a token minted by a request that raced a refresh
	// token's reuse cannot outlive the revocation.
	CreateToken(ctx context.Context, r *Record) error
	// Token returns the live record of the given kind and key, used or not, or ErrNotFound.
	Token(ctx context.Context, kind Kind, key string) (*Record, error)
	// DeleteToken removes the record of the given kind and key, or returns ErrNotFound (also
	// for an expired record).
	DeleteToken(ctx context.Context, kind Kind, key string) error
}

// CodeRedeemer redeems authorization codes exactly once (RFC 6749 §4.1.2, §10.5).
type CodeRedeemer interface {
	// RedeemCode marks the AuthorizationCode record under key as used and returns it. Of any
	// number of concurrent calls for one code, exactly one succeeds.
	//
	// Presenting a code that was already redeemed deletes every other record of its grant —
	// the tokens previously issued from the code (RFC 6749 §4.1.2) — and returns the record
	// with ErrAlreadyUsed, so that the caller can answer invalid_grant. It does not mark the
	// grant revoked: the one redemption that won a race still gets its tokens (exactly one
	// token response per code), while PKCE, not revocation, is what keeps a stolen code
	// useless. The used record itself stays, marked used, until it expires, so every later
	// presentation is caught too. A missing or expired code returns ErrNotFound.
	RedeemCode(ctx context.Context, key string) (*Record, error)
}

// RefreshRotator rotates refresh tokens exactly once, with reuse detection
// (OAuth 2.0 Security BCP, RFC 9700 §4.14.2).
type RefreshRotator interface {
	// RotateRefreshToken marks the RefreshToken record under key as used and returns it. Of
	// any number of concurrent calls for one token, exactly one succeeds.
	//
	// Presenting a token rotated less than RotationGrace ago (by UsedAt, on the store's
	// clock) is a loser of a concurrent rotation: the record is returned with ErrAlreadyUsed
	// and nothing else changes, so that the winner's new tokens stand and exactly one of N
	// concurrent refreshes gets tokens, never zero.
	//
	// Presenting it later is taken as theft (RFC 9700 §4.14.2): its grant is revoked whole —
	// every other record deleted and the grant marked revoked (see GrantRevoker), so that
	// the tokens a concurrent rotation of the grant's newer refresh token is still minting
	// are refused too — and the record is returned with an error matching both
	// ErrAlreadyUsed and ErrGrantRevoked. The used record stays, marked used, until it
	// expires. A missing or expired token returns ErrNotFound.
	RotateRefreshToken(ctx context.Context, key string) (*Record, error)
}

// GrantRevoker revokes a whole grant family at once (RFC 7009 §2.1).
type GrantRevoker interface {
	// RevokeGrant deletes every record of the grant whose kind is among kinds. With no kinds
	// it revokes the grant whole: it deletes every record of the grant and marks the grant
	// revoked, so that CreateToken refuses its records with ErrGrantRevoked until the latest
	// expiry among the records it deleted (and at least for MinRevokedMarker). Revoking a
	// grant with no records is not an error.
	//
	// A store writes the mark before it deletes, and CreateToken checks the mark after it
	// writes (deleting what it wrote if the mark is there): whichever order two racing callers
	// run in, a record created for a grant being revoked does not survive.
	RevokeGrant(ctx context.Context, grantID string, kinds ...Kind) error
}

// DenyList records JWT IDs that must no longer be accepted: revoked self-contained access
// tokens, and used client-assertion JWTs (RFC 7523 §3, item 7).
type DenyList interface {
	// Deny adds jti until the given time, after which the entry disappears. It returns
	// ErrConflict if jti is already denied, which makes it a replay check: of any number of
	// concurrent calls for one jti, exactly one succeeds. An empty jti or a zero until is
	// ErrInvalid; an until already past adds nothing and returns nil.
	Deny(ctx context.Context, jti string, until time.Time) error
	// Denied reports whether jti is on the list and its entry has not expired.
	Denied(ctx context.Context, jti string) (bool, error)
}

// KeyStore persists key sets. Private key material reaches it sealed (see Key.Sealed).
type KeyStore interface {
	// KeySet returns the set with the given name, or ErrNotFound.
	KeySet(ctx context.Context, name string) (*KeySet, error)
	// SaveKeySet stores set if the stored version equals set.Version (0 when none is stored),
	// and on success increments set.Version to the stored version. A lost race returns
	// ErrConflict: read the set again, reapply the change, save again. A nil set or an empty
	// or over-long name is ErrInvalid. The caller sets UpdatedAt.
	SaveKeySet(ctx context.Context, set *KeySet) error
}

// Store is a complete back end: every capability oauthkit's server needs.
type Store interface {
	ClientManager
	TokenStore
	CodeRedeemer
	RefreshRotator
	GrantRevoker
	DenyList
	KeyStore
}

// Pinger is an optional capability: a back end that can check its connection.
type Pinger interface {
	// Ping reports whether the back end answers; an unreachable one wraps ErrUnavailable.
	Ping(ctx context.Context) error
}

// Collector is an optional capability: a back end whose expired entries need deleting, as
// opposed to one that expires them itself (Redis). Several nodes may collect at once.
type Collector interface {
	// Collect deletes records, revocation marks and deny-list entries that have expired (an
	// entry expires at its expiry time exactly) and returns how many it deleted.
	Collect(ctx context.Context) (int, error)
}

// Unwrapper is implemented by decorators (caches, instrumentation) so that capabilities of
// the back end they wrap stay reachable through As.
type Unwrapper interface {
	// Unwrap returns the wrapped back end.
	Unwrap() any
}

// As reports whether v, or any back end it wraps (followed through Unwrapper), implements T,
// and returns the first that does.
//
//	if c, ok := provider.As[provider.Collector](store); ok { c.Collect(ctx) }
func As[T any](v any) (T, bool) {
	for v != nil {
		if t, ok := v.(T); ok {
			return t, true
		}
		u, ok := v.(Unwrapper)
		if !ok {
			break
		}
		v = u.Unwrap()
	}
	var zero T
	return zero, false
}

// MinRevokedMarker is the least time a grant stays marked revoked after RevokeGrant without
// kinds or a refresh-token reuse, however soon its records would have expired: long enough to
// outlast any request that was minting a token for the grant while it was revoked.
const MinRevokedMarker = 10 * time.Minute

// RotationGrace is how long after a refresh token's rotation a second presentation of it
// counts as a loser of the same concurrent rotation rather than as theft (see
// RefreshRotator). Concurrent presentations cannot be told from an attacker's; the grace
// only spares the family from being revoked by them, it never hands out a second set of
// tokens. It is short, because within it a thief who rotated first is not detected by the
// legitimate client's late presentation.
const RotationGrace = 10 * time.Second

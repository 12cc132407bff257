package provider

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind says what a Record stands behind. Back ends treat it as an opaque label, so adapters
// may add kinds of their own; the kinds below are the ones oauthkit itself uses.
type Kind string

// The kinds of record oauthkit stores.
const (
	// AccessToken is an access token's record, for formats that keep state.
	AccessToken Kind = "access_token"
	// RefreshToken is a refresh token's record; RotateRefreshToken applies to it.
	RefreshToken Kind = "refresh_token"
	// AuthorizationCode is an authorization code's record; RedeemCode applies to it.
	AuthorizationCode Kind = "authorization_code"
	// PKCE is the PKCE request of an authorization code (RFC 7636), keyed like the code.
	PKCE Kind = "pkce"
)

// MaxKeyLen is the longest Key, GrantID, ClientID, client ID, key-set name or JTI a back end
// must accept. Keys are
// tags or hashes, so real ones are far shorter; the bound lets SQL back ends index them.
const MaxKeyLen = 255

// Valid reports whether k is a kind a store accepts: 1 to 32 bytes of [a-z0-9_].
func (k Kind) Valid() bool {
	if len(k) == 0 || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Record is what is stored behind a token or an authorization code: who it was issued to, for
// what, until when, and which grant it belongs to.
//
// Every record of one grant (the code, and every access and refresh token issued from it or
// from its refreshes) shares a GrantID, so that a whole family can be revoked at once.
type Record struct {
	// Kind says what the record stands behind.
	Kind Kind
	// Key is the lookup key: the token's HMAC tag or hash, never the token itself.
	Key string
	// GrantID ties together every record of one grant (fosite's request ID).
	GrantID string

	// ClientID is the client the token was issued to.
	ClientID string
	// Subject is the resource owner; for client_credentials it is the client ID (RFC 9068 §2.2).
	Subject string
	// RequestedScopes and GrantedScopes are the scopes asked for and granted.
	RequestedScopes, GrantedScopes []string
	// RequestedAudience and GrantedAudience are the audiences asked for and granted.
	RequestedAudience, GrantedAudience []string

	// IssuedAt is when the token was issued (the grant's request time for codes).
	IssuedAt time.Time
	// ExpiresAt is when the record stops being readable. It is required.
	ExpiresAt time.Time
	// AuthTime is when the resource owner authenticated; zero if none did.
	AuthTime time.Time
	// UsedAt is when a code was redeemed or a refresh token rotated; zero while unused.
	// Stores set it; callers creating a record leave it zero.
	UsedAt time.Time

	// PKCEChallenge and PKCEMethod are the code_challenge and code_challenge_method (RFC 7636).
	PKCEChallenge, PKCEMethod string
	// RedirectURI is the redirect_uri of the authorization request, checked on redemption.
	RedirectURI string

	// Claims are extra claims for the access token, as a JSON object stored verbatim.
	Claims json.RawMessage
	// Session is an opaque payload an adapter uses to restore its own request or session
	// type; stores keep it verbatim.
	Session []byte
}

// Clone returns a deep copy of r: nil slices stay nil and empty ones stay empty. It makes at
// most three allocations (the record, one slab for its strings, one for its bytes), because
// every back end copies records on the way in and out.
func (r *Record) Clone() *Record {
	if r == nil {
		return nil
	}
	d := new(Record)
	*d = *r
	cloneLists(&d.RequestedScopes, &d.GrantedScopes, &d.RequestedAudience, &d.GrantedAudience)
	cloneBytes(&d.Claims, &d.Session)
	return d
}

// cloneLists replaces every list with a copy, all carved from one array.
func cloneLists(lists ...*[]string) {
	n := 0
	for _, l := range lists {
		n += len(*l)
	}
	var slab []string
	if n > 0 {
		slab = make([]string, 0, n)
	}
	for _, l := range lists {
		*l, slab = carve(slab, *l)
	}
}

// cloneBytes replaces a and b with copies carved from one slab.
func cloneBytes[A, B ~[]byte](a *A, b *B) {
	var slab []byte
	if n := len(*a) + len(*b); n > 0 {
		slab = make([]byte, 0, n)
	}
	*a, slab = carve(slab, *a)
	*b, _ = carve(slab, *b)
}

// carve appends s to slab, which has room for it, and returns the copy, capped at its length
// so that an append to it cannot overwrite a neighbour, and the grown slab. A nil s stays nil
// and an empty one stays empty.
func carve[S ~[]E, E any](slab []E, s S) (S, []E) {
	if s == nil {
		return nil, slab
	}
	if len(s) == 0 {
		return s[:0:0], slab
	}
	start := len(slab)
	slab = append(slab, s...)
	return S(slab[start:len(slab):len(slab)]), slab
}

// Expired reports whether r has expired at now. A record expires at ExpiresAt exactly.
func (r *Record) Expired(now time.Time) bool { return !now.Before(r.ExpiresAt) }

// Validate reports ErrInvalid (wrapped, naming the field) if r cannot be stored.
func (r *Record) Validate() error {
	switch {
	case r == nil:
		return invalid("record is nil")
	case !r.Kind.Valid():
		return invalid("record: kind must be 1 to 32 bytes of [a-z0-9_]")
	case r.Key == "":
		return invalid("record: empty Key")
	case len(r.Key) > MaxKeyLen:
		return invalid("record: Key longer than MaxKeyLen")
	case len(r.ClientID) > MaxKeyLen:
		return invalid("record: ClientID longer than MaxKeyLen")
	case r.GrantID == "":
		return invalid("record: empty GrantID")
	case len(r.GrantID) > MaxKeyLen:
		return invalid("record: GrantID longer than MaxKeyLen")
	case r.ExpiresAt.IsZero():
		return invalid("record: zero ExpiresAt")
	case len(r.Claims) > 0 && !json.Valid(r.Claims):
		return invalid("record: Claims is not JSON")
	}
	return nil
}

func invalid(msg string) error { return fmt.Errorf("%w: %s", ErrInvalid, msg) }

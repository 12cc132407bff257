// Package tokenformat defines what an access token looks like on the wire, the second axis an
// oauthkit integrator chooses on. A Format mints a wire token from a provider.Record and turns
// a wire token back into what it carries; it never touches storage. The adapter that uses a
// format decides, from the format's Persistence, what to keep in the store.
//
// The formats oauthkit ships live in the sub-packages opaque, encrypted, jws and jwe; a custom
// format implements Format and proves itself with formattest.Run.
package tokenformat

import (
	"context"
	"errors"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/provider"
)

// Format is an access-token wire format.
//
// Implementations are safe for concurrent use.
type Format interface {
	// Name identifies the format in configuration and in client metadata ("opaque",
	// "encrypted", "jws", "jwe", or a custom name).
	Name() string
	// Persistence says what the adapter keeps in the store for tokens of this format.
	Persistence() Persistence
	// Issue mints the wire token for rec. rec.Key is ignored: the returned Token's Key is the
	// storage key the format derives from the token (an HMAC tag or a hash).
	Issue(ctx context.Context, rec *provider.Record) (Token, error)
	// Parse authenticates token (tag, signature or AEAD) and returns what it carries. It
	// never consults storage. A token that is malformed, forged or made with an unknown key
	// returns an error matching ErrInvalidToken; an expired one, ErrExpired.
	Parse(ctx context.Context, token string) (Token, error)
}

// Token is a wire token and what can be known of it without storage.
type Token struct {
	// Value is the wire form, the string a client sends as a bearer token.
	Value string
	// Key is the storage key of the token: never the token itself.
	Key string
	// Record is the state the token carries. It is nil for formats that carry none
	// (opaque); the adapter then reads the record from the store by Key.
	Record *provider.Record
}

// Persistence says what an adapter keeps in the store for a format's tokens.
type Persistence int

const (
	// StoreRecord keeps the full record under the token's key; validation reads it back.
	StoreRecord Persistence = iota
	// StoreNothing keeps nothing: the token carries its record, and revocation goes through
	// the jti deny-list until the token's expiry.
	StoreNothing
	// StoreTokenOnly keeps only the token under its key and rebuilds the record from the
	// token on read (Apache CXF's storeJwtTokenKeyOnly); revocation deletes it. The
	// adapter builds the stored record and rebuilds the full one by parsing the token again.
	StoreTokenOnly
)

// String returns the persistence mode's configuration name.
func (p Persistence) String() string {
	switch p {
	case StoreRecord:
		return "record"
	case StoreNothing:
		return "nothing"
	case StoreTokenOnly:
		return "token-only"
	}
	return "unknown"
}

// Errors a format's Parse returns, wrapped with detail that never includes the token.
var (
	// ErrInvalidToken reports a token that is malformed, forged, or made with a key the
	// format does not know.
	ErrInvalidToken = errors.New("tokenformat: invalid token")
	// ErrExpired reports an authentic token whose expiry has passed.
	ErrExpired = errors.New("tokenformat: token expired")
)

// KeySource is what a format needs from a key set: the key that signs or encrypts now, and
// any key that may still verify or decrypt. keyset.Set implements it; tests and resource
// servers may use a static source.
//
// Active returns the same *jose.JSONWebKey pointer for as long as the key is unchanged, and
// implementations never change a returned key in place: formats may cache work derived from a
// key (a checked signer, an encoded header) keyed by that pointer.
//
// The keys returned hold parsed key material in jose.JSONWebKey.Key (*ecdsa.PrivateKey,
// *rsa.PrivateKey, ed25519.PrivateKey, []byte for symmetric keys), so a format never parses a
// key on the hot path. Implementations are safe for concurrent use and do no I/O on the hot
// path once loaded.
type KeySource interface {
	// Active returns the key that signs ("sig") or encrypts ("enc") with alg now.
	Active(ctx context.Context, use, alg string) (*jose.JSONWebKey, error)
	KeyLookup
}

// KeyLookup is the verifying half of a KeySource, and all a verifier needs: the one
// key-source type of oauthkit. keyset.Set and every KeySource implement it, and so do the
// resource server's validation/local.StaticKeys and RemoteKeys, so that a validator takes
// any of them.
type KeyLookup interface {
	// Lookup returns the key with the given kid if it may still verify or decrypt (its state
	// is next, active or retired), or an error matching ErrUnknownKey. A verification-only
	// set may answer kid "" with its only key. Implementations may return other errors (a
	// remote set that cannot be fetched).
	Lookup(ctx context.Context, kid string) (*jose.JSONWebKey, error)
}

// ErrUnknownKey reports a kid that a KeySource does not hold (or no longer holds).
var ErrUnknownKey = errors.New("tokenformat: unknown key")

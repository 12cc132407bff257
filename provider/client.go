package provider

import (
	"encoding/json"
	"time"
)

// Client token endpoint authentication methods (RFC 7591 §2, RFC 7523 §2.2).
const (
	AuthNone              = "none"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthPrivateKeyJWT     = "private_key_jwt"
)

// Client is a registered OAuth 2.0 client with its RFC 7591 metadata.
//
// The secret itself is never part of a Client: SecretHash holds a self-describing hash of it
// (the scheme is chosen by whoever sets it, for example "sha256$…" for a server-generated
// high-entropy secret or a bcrypt "$2a$…" string for a user-chosen one).
type Client struct {
	// ID is the client_id. It is unique within a store and never empty.
	ID string
	// SecretHash is the encoded hash of the client secret; empty for public clients and for
	// clients that authenticate with private_key_jwt.
	SecretHash string
	// SecretExpiresAt is when the secret stops being accepted; zero means never
	// (client_secret_expires_at 0 in RFC 7591 §3.2.1).
	SecretExpiresAt time.Time
	// RegistrationTokenHash is the hash of the RFC 7592 registration access token that
	// manages this client; empty for clients that were not dynamically registered.
	RegistrationTokenHash string

	// Name is the human-readable client_name.
	Name string
	// RedirectURIs are the exact redirect URIs the client may use (RFC 6749 §3.1.2).
	RedirectURIs []string
	// GrantTypes are the grant types the client may use, such as "authorization_code".
	GrantTypes []string
	// ResponseTypes are the response types the client may use, such as "code".
	ResponseTypes []string
	// Scopes are the scopes the client may request.
	Scopes []string
	// Audience lists the resource identifiers the client may request tokens for; the first
	// is the default audience of its tokens.
	Audience []string
	// TokenEndpointAuthMethod is one of the Auth* constants.
	TokenEndpointAuthMethod string
	// JWKS is the client's public JSON Web Key Set, inline (RFC 7591 jwks); empty if unused.
	JWKS json.RawMessage
	// JWKSURI is where the client publishes its public keys (RFC 7591 jwks_uri).
	JWKSURI string
	// AccessTokenFormat names the access-token format for this client's tokens ("opaque",
	// "jws", …); empty means the server-wide default.
	AccessTokenFormat string
	// Metadata holds any further registered metadata as a JSON object, stored verbatim.
	Metadata json.RawMessage

	// CreatedAt is when the client was registered.
	CreatedAt time.Time
	// UpdatedAt is when the client was last changed.
	UpdatedAt time.Time
}

// Public reports whether the client has no credentials of its own (RFC 6749 §2.1).
func (c *Client) Public() bool { return c.TokenEndpointAuthMethod == AuthNone }

// Clone returns a deep copy of c: nil slices stay nil and empty ones stay empty. Back ends
// use it so that callers never share memory with what is stored, and a reader may change what
// it was given. It makes at most three allocations (the client, one slab for its lists'
// strings, one for its bytes), because every read of a client copies it.
func (c *Client) Clone() *Client {
	if c == nil {
		return nil
	}
	d := new(Client)
	*d = *c
	cloneLists(&d.RedirectURIs, &d.GrantTypes, &d.ResponseTypes, &d.Scopes, &d.Audience)
	cloneBytes(&d.JWKS, &d.Metadata)
	return d
}

// Validate reports ErrInvalid (wrapped, naming the field) if c cannot be stored.
func (c *Client) Validate() error {
	if c == nil {
		return invalid("client is nil")
	}
	if c.ID == "" {
		return invalid("client: empty ID")
	}
	if len(c.ID) > MaxKeyLen {
		return invalid("client: ID longer than MaxKeyLen")
	}
	return nil
}

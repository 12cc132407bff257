package compose

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"time"

	"github.com/oauthkit/oauthkit/adapters/authz"
	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/internal/loopback"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// Names of the built-in access-token formats. A client picks one by naming it in its
// AccessTokenFormat metadata; the server issues Config.DefaultFormat otherwise.
const (
	// FormatOpaque is a random value with an HMAC tag; the full record is stored.
	FormatOpaque = "opaque"
	// FormatEncrypted is the record itself, AEAD-encrypted; nothing is stored.
	FormatEncrypted = "encrypted"
	// FormatJWS is an RFC 9068 JWT (ES256 by default); the full record is stored.
	FormatJWS = "jws"
	// FormatJWSStateless is the same JWT with nothing stored; revocation goes through the
	// deny-list.
	FormatJWSStateless = "jws-stateless"
	// FormatJWTOnly is the same JWT with only the token string stored (store-JWT-only).
	FormatJWTOnly = "jwt-only"
	// FormatJWE is the JWT nested in a JWE to a recipient key; the full record is stored.
	FormatJWE = "jwe"
)

// Config describes a server. Issuer and one of Store or StorageURL are required, and so is
// one of Keys or KEK; every other zero value is a documented safe default.
type Config struct {
	// Issuer is the server's issuer identifier (RFC 8414 §2): an https URL, or http on a
	// loopback host, without query or fragment. Endpoint URLs are built from it. Required.
	Issuer string

	// Store is where clients, tokens and keys live. Exactly one of Store and StorageURL.
	Store provider.Store
	// StorageURL opens a store through storage.Open, by the back end registered for the
	// URL's scheme. compose links only "memory://" (storage/memstore); a program links the
	// others by importing their packages, blank if nothing else is used:
	// storage/sqlstore/sqlite for "sqlite://path.db" and "sqlite:///abs/path.db",
	// storage/sqlstore/postgres for "postgres://…", storage/sqlstore/mysql for "mysql://…"
	// (schemas are migrated on open), storage/redisstore for "redis://host:port/db" and its
	// other forms,
	// or a third party's back end for its own scheme (see examples/customstore). The Server
	// owns a store it opened and closes it on Close.
	StorageURL string
	// CacheTTL puts a read-through cache (storage/cache) of clients and key sets in front of
	// a SQL or Redis store opened from StorageURL, so that a token request does not read its
	// client from the database; tokens are never cached. It is how long a client changed on
	// another server can go unseen here. Zero means cache.DefaultTTL (one minute); negative
	// means no cache. A Store given in Config is used as it is.
	CacheTTL time.Duration

	// Keys is the key set tokens are signed, encrypted and tagged with. If nil, New loads or
	// creates the set named KeySetName in the store, sealed with KEK, holding an ES256,
	// HS256, A256GCM and ECDH-ES+A256KW key.
	Keys *keyset.Set
	// KEK is the 32-byte key-encryption key sealing private keys in the store. Required
	// unless Keys and TokenSecret are both given.
	KEK []byte
	// KeySetName names the key set in the store. Default "default".
	KeySetName string
	// KeyCheckInterval is how often a key set New created checks whether its active keys are
	// due for rotation (keyset.Options.RetireAfter, one day) and reloads it from the store, so
	// that servers sharing a store follow each other's rotations. Default one hour; negative
	// disables the schedule. Ignored when Keys is given: schedule your own set.
	KeyCheckInterval time.Duration
	// TokenSecret keys the HMAC of refresh tokens and authorization codes (at least 32
	// bytes). Default: derived from KEK with HKDF-SHA256.
	TokenSecret []byte

	// DefaultFormat names the access-token format issued to clients that name none.
	// Default FormatJWS.
	DefaultFormat string
	// Formats names further built-in formats clients may choose; any of them may be
	// enabled together (a token is dispatched to the format that recognises it).
	Formats []string
	// CustomFormats are formats of your own, by name, each built by its constructor once the
	// server's key set exists: the constructor receives the server's keys, issuer, default
	// audience, clock and logger (tokenformat.Env), so a custom format can sign with the
	// server's own keys. Clients choose one by naming it in their AccessTokenFormat, and it
	// may be the DefaultFormat. A name must not be a built-in format's, a constructor must
	// not be nil, and the format it builds must have the Name it is listed under
	// (tokenformat.Prebuilt wraps a format built beforehand).
	CustomFormats map[string]tokenformat.Constructor
	// DefaultAudience is the aud of JWT access tokens whose client has no audience, and the
	// aud introspection reports for any access token granted none. Default: the Issuer.
	DefaultAudience []string

	// AccessTokenLifespan defaults to one hour, RefreshTokenLifespan to 30 days and
	// AuthorizeCodeLifespan to 10 minutes.
	AccessTokenLifespan, RefreshTokenLifespan, AuthorizeCodeLifespan time.Duration

	// Grants are the enabled grant types (the Grant* constants). Default: client
	// credentials, refresh token and JWT bearer, plus authorization code when Login is set.
	// Authorization code always requires PKCE with S256 from public clients; "plain" is
	// refused.
	Grants []string
	// RequirePKCE requires PKCE from confidential clients too.
	RequirePKCE bool
	// AuthMethods are the enabled client authentication methods at the token,
	// introspection and revocation endpoints (provider.AuthClientSecretBasic,
	// provider.AuthClientSecretPost, provider.AuthPrivateKeyJWT). Default: all three.
	AuthMethods []string

	// JWTBearerPolicy decides which verified RFC 7523 assertions a client may exchange for
	// a token: which issuers and subjects it may present. Nil means SelfAssertionsOnly. It is
	// server policy; no client metadata widens it.
	JWTBearerPolicy JWTBearerPolicy

	// ClientAssertionMaxAge bounds how long a private_key_jwt client assertion is accepted:
	// one with an iat is refused once iat is older than this, one without iat if its exp is
	// further away; its jti is remembered only that long. Default five minutes.
	ClientAssertionMaxAge time.Duration
	// SecretHashCost is the bcrypt cost of person-chosen client secrets
	// (clientsecret.HashUserChosen); a request for an unknown client costs a bcrypt check at
	// this cost as often as a real one would, so that timing does not tell them apart.
	// Default clientsecret.DefaultCost.
	SecretHashCost int
	// ResourceServers names the clients that are resource servers, by client ID, each with
	// the resource identifiers it serves (the aud values of the tokens meant for it, e.g.
	// "api" or "https://api.example.com"). Under the default IntrospectionPolicy such a
	// client may introspect access tokens of other clients whose audience names one of its
	// identifiers. Only the operator grants this: nothing a client registers (RFC 7591
	// metadata included) makes it a resource server, and registration never lets a client
	// choose its client_id. Each entry's client must exist as a confidential client; New
	// copies the map. Default: none.
	ResourceServers map[string][]string
	// IntrospectionPolicy decides which authenticated client may learn about which access
	// token at the introspection endpoint (RFC 7662 §2.1: the server decides what a caller
	// may see). A caller refused gets {"active":false}, as for a token that does not exist
	// (§2.2), so that the answer reveals nothing. Refresh tokens are never put to the
	// policy: only their own client may introspect them, whatever the policy says. Public
	// clients and callers presenting a bearer token instead of client credentials are
	// refused before the policy (401 invalid_client). Default: the token's own client, or
	// a client in ResourceServers one of whose identifiers is in the token's audience.
	IntrospectionPolicy IntrospectionPolicy

	// Registration enables dynamic client registration (RFC 7591/7592) at PathRegister when
	// not nil. Its GrantTypes default to authorization_code and refresh_token among the
	// enabled grants (client_credentials, jwt-bearer and the rest only when listed), its
	// AuthMethods and AccessTokenFormats to what the server enables; either Open or
	// InitialAccessTokens must be set (see adapters/registration).
	// Its JWKSURI rules are always ClientJWKS, so that registration accepts exactly the
	// jwks_uri values the server will fetch.
	Registration *registration.Options

	// ClientJWKS are the rules and limits for fetching a client's jwks_uri (the keys of
	// private_key_jwt client authentication and of jwt-bearer assertions) and for accepting
	// one at registration, in place of fosite's fetcher. The zero value is the safe default
	// (see jwksfetch.Options): https only, public addresses only (checked on each resolved
	// address when connecting), 2 s, 64 KiB, no redirects, no retries, a set cached for 10
	// minutes and refetched for an unknown kid at most once a minute per URI. Logger and Now
	// default to the server's. AllowLoopbackHTTP is for development: New refuses it unless
	// the Issuer is itself on a loopback host.
	ClientJWKS jwksfetch.Options

	// Login authenticates the resource owner and obtains consent at the authorization
	// endpoint. Required when GrantAuthorizationCode is enabled.
	Login LoginHandler

	// Logger receives server errors; it never sees a token or secret. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

var builtinFormats = []string{FormatOpaque, FormatEncrypted, FormatJWS, FormatJWSStateless, FormatJWTOnly, FormatJWE}

var allAuthMethods = []string{provider.AuthClientSecretBasic, provider.AuthClientSecretPost, provider.AuthPrivateKeyJWT}

// ErrConfig is matched by every configuration error New returns.
var ErrConfig = errors.New("compose: invalid config")

func configErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
}

// withDefaults validates c and fills in defaults on a copy.
func (c Config) withDefaults() (Config, error) {
	u, err := url.Parse(c.Issuer)
	switch {
	case c.Issuer == "":
		return c, configErr("Issuer", "required")
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		return c, configErr("Issuer", "must be an absolute URL without query or fragment")
	case u.Scheme != "https" && !(u.Scheme == "http" && loopback.Host(u.Hostname())):
		return c, configErr("Issuer", "must be https (http only on a loopback host)")
	}
	if (c.Store == nil) == (c.StorageURL == "") {
		return c, configErr("Store", "exactly one of Store and StorageURL is required")
	}
	if c.Keys == nil && len(c.KEK) != 32 {
		return c, configErr("KEK", "must be 32 bytes when Keys is nil")
	}
	if c.TokenSecret == nil && len(c.KEK) != 32 {
		return c, configErr("TokenSecret", "required when KEK is not given")
	}
	if c.TokenSecret != nil && len(c.TokenSecret) < 32 {
		return c, configErr("TokenSecret", "must be at least 32 bytes")
	}
	if c.KeyCheckInterval == 0 {
		c.KeyCheckInterval = time.Hour
	}
	if c.KeySetName == "" {
		c.KeySetName = "default"
	}
	if c.DefaultFormat == "" {
		c.DefaultFormat = FormatJWS
	}
	for name, build := range c.CustomFormats {
		switch {
		case name == "":
			return c, configErr("CustomFormats", "empty name")
		case slices.Contains(builtinFormats, name):
			return c, configErr("CustomFormats", "%q is the name of a built-in format", name)
		case build == nil:
			return c, configErr("CustomFormats", "%q has a nil constructor", name)
		}
	}
	if len(c.DefaultAudience) == 0 {
		c.DefaultAudience = []string{c.Issuer}
	}
	for _, d := range []*time.Duration{&c.AccessTokenLifespan, &c.RefreshTokenLifespan, &c.AuthorizeCodeLifespan} {
		if *d < 0 {
			return c, configErr("Lifespan", "must not be negative")
		}
	}
	if c.AccessTokenLifespan == 0 {
		c.AccessTokenLifespan = time.Hour
	}
	if c.RefreshTokenLifespan == 0 {
		c.RefreshTokenLifespan = 30 * 24 * time.Hour
	}
	if c.AuthorizeCodeLifespan == 0 {
		c.AuthorizeCodeLifespan = 10 * time.Minute
	}
	if c.Grants == nil {
		c.Grants = []string{GrantClientCredentials, GrantRefreshToken, GrantJWTBearer}
		if c.Login != nil {
			c.Grants = append([]string{GrantAuthorizationCode}, c.Grants...)
		}
	}
	for _, g := range c.Grants {
		if !slices.Contains(authz.Grants(), g) {
			return c, configErr("Grants", "unsupported grant type %q", g)
		}
	}
	if slices.Contains(c.Grants, GrantAuthorizationCode) && c.Login == nil {
		return c, configErr("Login", "required when the authorization_code grant is enabled")
	}
	if c.AuthMethods == nil {
		c.AuthMethods = allAuthMethods
	}
	for _, m := range c.AuthMethods {
		if !slices.Contains(allAuthMethods, m) {
			return c, configErr("AuthMethods", "unsupported method %q", m)
		}
	}
	if c.ClientAssertionMaxAge < 0 {
		return c, configErr("ClientAssertionMaxAge", "must not be negative")
	}
	if c.ClientAssertionMaxAge == 0 {
		c.ClientAssertionMaxAge = 5 * time.Minute
	}
	if c.JWTBearerPolicy == nil {
		c.JWTBearerPolicy = SelfAssertionsOnly
	}
	rs := make(map[string][]string, len(c.ResourceServers)) // a copy: the server reads it concurrently
	for id, ids := range c.ResourceServers {
		if id == "" || len(id) > provider.MaxKeyLen {
			return c, configErr("ResourceServers", "client ID %q is empty or too long", id)
		}
		if len(ids) == 0 || slices.Contains(ids, "") {
			return c, configErr("ResourceServers", "client %q needs at least one non-empty resource identifier", id)
		}
		rs[id] = slices.Clone(ids)
	}
	c.ResourceServers = rs
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.ClientJWKS.AllowLoopbackHTTP && !loopback.Host(u.Hostname()) {
		return c, configErr("ClientJWKS", "AllowLoopbackHTTP is for development with an Issuer on a loopback host")
	}
	if c.ClientJWKS.Logger == nil {
		c.ClientJWKS.Logger = c.Logger
	}
	if c.ClientJWKS.Now == nil {
		c.ClientJWKS.Now = c.Now
	}
	return c, nil
}

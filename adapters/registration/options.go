package registration

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oauthkit/oauthkit/adapters/authz"
	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/internal/loopback"
	"github.com/oauthkit/oauthkit/provider"
)

// Grant type names: those of adapters/authz, and implicit, which a client may register
// although no oauthkit server issues tokens by it.
const (
	GrantAuthorizationCode = authz.GrantAuthorizationCode
	GrantImplicit          = "implicit"
	GrantRefreshToken      = authz.GrantRefreshToken
	GrantClientCredentials = authz.GrantClientCredentials
	GrantJWTBearer         = authz.GrantJWTBearer
)

// knownGrants are the grant types New accepts in Options.GrantTypes.
var knownGrants = []string{
	GrantAuthorizationCode, GrantImplicit, GrantRefreshToken, GrantClientCredentials,
	GrantJWTBearer, "password",
	"urn:ietf:params:oauth:grant-type:device_code",
	"urn:ietf:params:oauth:grant-type:token-exchange",
	"urn:ietf:params:oauth:grant-type:saml2-bearer",
}

// knownAuthMethods are the token endpoint auth methods a client may register. Not
// client_secret_jwt: it needs the secret in clear, and only its hash is stored.
var knownAuthMethods = []string{
	provider.AuthNone, provider.AuthClientSecretBasic, provider.AuthClientSecretPost,
	provider.AuthPrivateKeyJWT,
}

// DefaultMaxBodyBytes is the largest request body accepted when Options.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 64 << 10

// Options configures a Handler. Its zero value is safe but must say whether registration is
// open (Open) or needs an initial access token (InitialAccessTokens).
type Options struct {
	// GrantTypes are the grant types a client may register. Nil means authorization_code and
	// refresh_token; client_credentials, jwt-bearer and the rest must be listed to be
	// allowed. Each must be a grant type this package knows.
	GrantTypes []string
	// AuthMethods are the token_endpoint_auth_method values a client may register. Nil means
	// client_secret_basic, client_secret_post and private_key_jwt; public clients ("none")
	// must be listed to be allowed.
	AuthMethods []string
	// Scopes are the scopes a client may register. Nil means none: a request with a scope
	// is refused.
	Scopes []string
	// DefaultScopes are given to a client that registers no scope. They must be among Scopes.
	DefaultScopes []string
	// Audience is given to every client registered here (provider.Client.Audience); clients
	// cannot choose it. Nil means none.
	Audience []string
	// AccessTokenFormats are the access_token_format values a client may register (an
	// oauthkit extension member naming a tokenformat.Format). Nil means none: a request
	// naming a format is refused, and clients get the server's default format.
	AccessTokenFormats []string
	// InitialAccessTokens are encoded hashes (clientsecret.Hash) of the initial access tokens
	// that authorize a registration (RFC 7591 §3). Either these or Open must be set.
	InitialAccessTokens []string
	// Open allows registration without an initial access token.
	Open bool
	// JWKSURI are the rules a jwks_uri must meet (jwksfetch.Options.ValidateURI): https, no
	// user information or fragment, not an IP literal the address policy refuses, not
	// localhost. The zero value is the safe default; set AllowLoopbackHTTP (and
	// AllowAddress) to the same values as the server's fetcher, which compose does.
	JWKSURI jwksfetch.Options
	// MaxBodyBytes bounds a request body. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Now is the clock for client_id_issued_at and the client's timestamps. Nil means
	// time.Now.
	Now func() time.Time
	// Logger receives store failures at Error and each registration, update and deletion at
	// Info, with the client_id and never a secret or token. Nil means slog.Default().
	Logger *slog.Logger
}

// Handler serves registration and client management; see the package documentation for
// its routes. It is safe for concurrent use.
type Handler struct {
	store    provider.ClientManager
	endpoint string // absolute URL, no trailing slash
	path     string // endpoint's path

	grants        []string
	responseTypes []string
	authMethods   []string
	scopes        []string
	defaultScopes []string
	audience      []string
	formats       []string
	initial       []string
	open          bool
	maxBody       int64
	jwksURI       jwksfetch.Options
	now           func() time.Time
	log           *slog.Logger
}

// New returns a Handler that registers clients in store. endpoint is the absolute URL of the
// registration endpoint as clients see it (https, or http on a loopback host), for example
// "https://as.example.com/register"; a client's registration_client_uri is endpoint + "/" +
// client_id. New validates opts and names the offending field.
func New(store provider.ClientManager, endpoint string, opts Options) (*Handler, error) {
	if store == nil {
		return nil, errors.New("registration: nil store")
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" ||
		!(u.Scheme == "https" || (u.Scheme == "http" && loopback.Host(u.Hostname()))) {
		return nil, errors.New("registration: endpoint must be an absolute https URL (http only on a loopback host) without query or fragment")
	}
	h := &Handler{
		store:    store,
		endpoint: strings.TrimSuffix(endpoint, "/"),
		path:     strings.TrimSuffix(u.Path, "/"),
		open:     opts.Open,
		maxBody:  opts.MaxBodyBytes,
		jwksURI:  opts.JWKSURI,
		now:      opts.Now,
		log:      opts.Logger,
	}
	if h.path == "" {
		return nil, errors.New("registration: endpoint must have a path, such as /register")
	}
	if opts.GrantTypes != nil && len(opts.GrantTypes) == 0 {
		return nil, errors.New("registration: Options.GrantTypes: empty; nil means the default")
	}
	if opts.AuthMethods != nil && len(opts.AuthMethods) == 0 {
		return nil, errors.New("registration: Options.AuthMethods: empty; nil means the default")
	}
	h.grants = orDefault(opts.GrantTypes, []string{GrantAuthorizationCode, GrantRefreshToken})
	for _, g := range h.grants {
		if !slices.Contains(knownGrants, g) {
			return nil, fmt.Errorf("registration: Options.GrantTypes: unknown grant type %q", g)
		}
	}
	if slices.Contains(h.grants, GrantAuthorizationCode) {
		h.responseTypes = append(h.responseTypes, "code")
	}
	if slices.Contains(h.grants, GrantImplicit) {
		h.responseTypes = append(h.responseTypes, "token")
	}
	h.authMethods = orDefault(opts.AuthMethods, []string{provider.AuthClientSecretBasic, provider.AuthClientSecretPost, provider.AuthPrivateKeyJWT})
	for _, m := range h.authMethods {
		if !slices.Contains(knownAuthMethods, m) {
			return nil, fmt.Errorf("registration: Options.AuthMethods: unsupported method %q", m)
		}
	}
	for _, s := range opts.Scopes {
		if !validScopeToken(s) {
			return nil, fmt.Errorf("registration: Options.Scopes: %q is not a scope token (RFC 6749 §3.3)", s)
		}
	}
	h.scopes = slices.Clone(opts.Scopes)
	for _, s := range opts.DefaultScopes {
		if !slices.Contains(h.scopes, s) {
			return nil, fmt.Errorf("registration: Options.DefaultScopes: %q is not in Options.Scopes", s)
		}
	}
	h.defaultScopes = slices.Clone(opts.DefaultScopes)
	h.audience = slices.Clone(opts.Audience)
	for _, f := range opts.AccessTokenFormats {
		if f == "" {
			return nil, errors.New("registration: Options.AccessTokenFormats: empty name")
		}
	}
	h.formats = slices.Clone(opts.AccessTokenFormats)
	for i, t := range opts.InitialAccessTokens {
		if err := clientsecret.Verify(t, ""); errors.Is(err, clientsecret.ErrUnknownScheme) || errors.Is(err, clientsecret.ErrMalformed) {
			return nil, fmt.Errorf("registration: Options.InitialAccessTokens[%d]: not an encoded hash: %w", i, err)
		}
	}
	h.initial = slices.Clone(opts.InitialAccessTokens)
	switch {
	case h.open && len(h.initial) > 0:
		return nil, errors.New("registration: Options.Open and Options.InitialAccessTokens are exclusive")
	case !h.open && len(h.initial) == 0:
		return nil, errors.New("registration: set Options.Open for open registration or Options.InitialAccessTokens to require a token")
	}
	if h.maxBody < 0 {
		return nil, errors.New("registration: Options.MaxBodyBytes: negative")
	}
	if h.maxBody == 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	return h, nil
}

// Path returns the path of the registration endpoint ("/register"); management requests go
// to Path() + "/" + client_id. The handler matches the request's full URL path against it,
// so mount it without http.StripPrefix.
func (h *Handler) Path() string { return h.path }

// Mount registers h on mux for the registration endpoint and its client configuration
// endpoints: Path() and Path()+"/".
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle(h.path, h)
	mux.Handle(h.path+"/", h)
}

func orDefault(v, def []string) []string {
	if v == nil {
		return def
	}
	return slices.Clone(v)
}

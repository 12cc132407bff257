package fositeadapter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
	"github.com/ory/fosite/handler/rfc7523"

	"github.com/oauthkit/oauthkit/adapters/authz"
	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat"
)

// HandlerConfig is what NewHandler builds the protocol endpoints from: oauthkit's own types
// only. compose fills it from compose.Config, whose doc comments describe each field; here
// Issuer, TokenURL, Store, Formats, TokenSecret, the three lifespans, Grants, AuthMethods,
// DefaultAudience, SecretGuard and ClientJWKS are required, Login when the
// authorization_code grant is enabled, and the rest default as documented.
type HandlerConfig struct {
	// Issuer is the issuer identifier (RFC 8414 §2), sent as iss in authorization responses
	// (RFC 9207) and introspection answers, and one audience a client assertion may name.
	Issuer string
	// TokenURL is the token endpoint's URL, the other audience a client assertion or an
	// RFC 7523 grant assertion may name.
	TokenURL string
	// Store holds clients, codes, tokens and the deny-list.
	Store provider.Store
	// Formats are the access-token formats, the default first (see Options.Formats).
	Formats []tokenformat.Format
	// TokenSecret keys the HMAC of refresh tokens and authorization codes; at least 32 bytes.
	TokenSecret []byte
	// AccessTokenLifespan, RefreshTokenLifespan and AuthorizeCodeLifespan are the token
	// lifetimes; each must be positive.
	AccessTokenLifespan, RefreshTokenLifespan, AuthorizeCodeLifespan time.Duration
	// Grants are the enabled grant types (authz.Grant*).
	Grants []string
	// RequirePKCE requires PKCE from confidential clients too; public clients always need it.
	RequirePKCE bool
	// AuthMethods are the enabled client authentication methods (provider.Auth*).
	AuthMethods []string
	// JWTBearerPolicy decides which verified RFC 7523 assertions a client may exchange. Nil
	// means authz.SelfAssertionsOnly.
	JWTBearerPolicy authz.JWTBearerPolicy
	// ClientAssertionMaxAge bounds a private_key_jwt assertion's age. Zero means five minutes.
	ClientAssertionMaxAge time.Duration
	// SecretGuard verifies client secrets.
	SecretGuard *clientsecret.Guard
	// ResourceServers and IntrospectionPolicy decide who may introspect what (see
	// compose.Config). The map is read concurrently and must not change.
	ResourceServers     map[string][]string
	IntrospectionPolicy authz.IntrospectionPolicy
	// DefaultAudience is the aud introspection reports for an access token granted none.
	DefaultAudience []string
	// ClientJWKS fetches clients' jwks_uri key sets, for client assertions and RFC 7523.
	ClientJWKS *jwksfetch.Fetcher
	// Login authenticates the resource owner at the authorization endpoint.
	Login authz.LoginHandler
	// Logger receives server errors, never a token or secret. Nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Handler serves the OAuth 2.0 protocol endpoints through fosite: the token endpoint
// (RFC 6749 §3.2), the authorization endpoint (§3.1), introspection (RFC 7662) and
// revocation (RFC 7009). Each method is an http.HandlerFunc for one endpoint; the caller
// routes to them and bounds request bodies. A Handler is safe for concurrent use.
type Handler struct {
	cfg        HandlerConfig
	adapter    *adapter
	fcfg       *fosite.Config
	oauth      fosite.OAuth2Provider
	log        *slog.Logger
	guard      *clientsecret.Guard
	jwks       *jwksfetch.Fetcher
	inlineKeys keyCache

	token, introspect, revoke http.Handler
}

// NewHandler builds the fosite configuration and handlers for exactly the enabled grants
// once, and returns a Handler over them, or an error naming the field of cfg at fault.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("fositeadapter: HandlerConfig.Issuer is required")
	case cfg.TokenURL == "":
		return nil, errors.New("fositeadapter: HandlerConfig.TokenURL is required")
	case len(cfg.TokenSecret) < 32:
		return nil, errors.New("fositeadapter: HandlerConfig.TokenSecret must be at least 32 bytes")
	case cfg.AccessTokenLifespan <= 0 || cfg.RefreshTokenLifespan <= 0 || cfg.AuthorizeCodeLifespan <= 0:
		return nil, errors.New("fositeadapter: HandlerConfig lifespans must be positive")
	case cfg.SecretGuard == nil:
		return nil, errors.New("fositeadapter: HandlerConfig.SecretGuard is required")
	case cfg.ClientJWKS == nil:
		return nil, errors.New("fositeadapter: HandlerConfig.ClientJWKS is required")
	case len(cfg.AuthMethods) == 0:
		return nil, errors.New("fositeadapter: HandlerConfig.AuthMethods is empty")
	case len(cfg.DefaultAudience) == 0:
		return nil, errors.New("fositeadapter: HandlerConfig.DefaultAudience is empty")
	}
	for _, g := range cfg.Grants {
		if !slices.Contains(authz.Grants(), g) {
			return nil, fmt.Errorf("fositeadapter: HandlerConfig.Grants: unsupported grant type %q", g)
		}
	}
	if slices.Contains(cfg.Grants, authz.GrantAuthorizationCode) && cfg.Login == nil {
		return nil, errors.New("fositeadapter: HandlerConfig.Login is required with the authorization_code grant")
	}
	if cfg.JWTBearerPolicy == nil {
		cfg.JWTBearerPolicy = authz.SelfAssertionsOnly
	}
	if cfg.ClientAssertionMaxAge <= 0 {
		cfg.ClientAssertionMaxAge = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, guard: cfg.SecretGuard, jwks: cfg.ClientJWKS}
	h.fcfg = &fosite.Config{
		AccessTokenLifespan:                  cfg.AccessTokenLifespan,
		RefreshTokenLifespan:                 cfg.RefreshTokenLifespan,
		AuthorizeCodeLifespan:                cfg.AuthorizeCodeLifespan,
		GlobalSecret:                         cfg.TokenSecret,
		TokenURL:                             cfg.TokenURL,
		AccessTokenIssuer:                    cfg.Issuer,
		IDTokenIssuer:                        cfg.Issuer,
		ScopeStrategy:                        fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:             fosite.DefaultAudienceMatchingStrategy,
		EnforcePKCE:                          cfg.RequirePKCE,
		EnforcePKCEForPublicClients:          true,
		EnablePKCEPlainChallengeMethod:       false,
		SendDebugMessagesToClients:           false,
		ClientSecretsHasher:                  clientsecret.Hasher{Memo: clientsecret.NewMemo(clientsecret.MemoOptions{})},
		RefreshTokenScopes:                   []string{},
		GrantTypeJWTBearerCanSkipClientAuth:  false,
		GrantTypeJWTBearerIDOptional:         false,
		GrantTypeJWTBearerIssuedDateOptional: true,
		GrantTypeJWTBearerMaxDuration:        time.Hour,
		MinParameterEntropy:                  fosite.MinParameterEntropy,
		// Client authentication is oauthkit's (clientauth.go), and client keys are fetched
		// by jwksfetch: fosite's fetcher follows redirects, retries and reads without limit.
		ClientAuthenticationStrategy: h.authenticateClient,
		JWKSFetcherStrategy:          NewJWKSFetcher(cfg.ClientJWKS),
	}
	var err error
	h.adapter, err = newAdapter(cfg.Store, h.fcfg, adapterOptions{Formats: cfg.Formats, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	h.wire()
	h.oauth = fosite.NewOAuth2Provider(h.adapter, h.fcfg)
	h.token = h.singleValued(http.HandlerFunc(h.serveToken))
	h.introspect = h.singleValued(http.HandlerFunc(h.serveIntrospect))
	h.revoke = h.singleValued(http.HandlerFunc(h.serveRevoke))
	return h, nil
}

// wire lists fosite's handlers for exactly the enabled grants in the configuration, before
// the provider is built from it, in the order fosite needs (the PKCE handler after the
// authorization code handler). Token endpoint handlers are listed directly:
// TokenEndpointHandlers.Append drops a handler whose type is already listed, and every
// guarded handler has the same type.
func (h *Handler) wire() {
	a, cfg := h.adapter, h.fcfg
	helper := &oauth2.HandleHelper{AccessTokenStrategy: a, AccessTokenStorage: a, Config: cfg}
	if h.enabled(authz.GrantAuthorizationCode) {
		code := &oauth2.AuthorizeExplicitGrantHandler{
			AccessTokenStrategy: a, RefreshTokenStrategy: a, AuthorizeCodeStrategy: a,
			CoreStorage: a, TokenRevocationStorage: a, Config: cfg,
		}
		p := &pkce.Handler{AuthorizeCodeStrategy: a, Storage: a, Config: cfg}
		cfg.AuthorizeEndpointHandlers = fosite.AuthorizeEndpointHandlers{code, p}
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{code}, guarded{p})
	}
	if h.enabled(authz.GrantClientCredentials) {
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{&oauth2.ClientCredentialsGrantHandler{HandleHelper: helper, Config: cfg}})
	}
	if h.enabled(authz.GrantRefreshToken) {
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{&oauth2.RefreshTokenGrantHandler{
			AccessTokenStrategy: a, RefreshTokenStrategy: a, TokenRevocationStorage: a, Config: cfg,
		}})
	}
	if h.enabled(authz.GrantJWTBearer) {
		grantCfg := assertionAudiences{Config: cfg, urls: []string{cfg.TokenURL, h.cfg.Issuer}}
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{&rfc7523.Handler{Storage: a, HandleHelper: helper, Config: grantCfg}})
	}
	cfg.TokenIntrospectionHandlers = fosite.TokenIntrospectionHandlers{&oauth2.CoreValidator{CoreStrategy: a, CoreStorage: a, Config: cfg}}
	cfg.RevocationHandlers = fosite.RevocationHandlers{&oauth2.TokenRevocationHandler{
		TokenRevocationStorage: a, RefreshTokenStrategy: a, AccessTokenStrategy: a,
	}}
}

// assertionAudiences is fosite's configuration as the RFC 7523 grant handler sees it: an
// assertion's aud may name the token endpoint (RFC 7523 §3) or, as
// draft-ietf-oauth-rfc7523bis recommends, the issuer identifier.
type assertionAudiences struct {
	*fosite.Config
	urls []string
}

// GetTokenURLs returns the audiences an RFC 7523 grant assertion may name.
func (c assertionAudiences) GetTokenURLs(context.Context) []string { return c.urls }

func (h *Handler) enabled(grant string) bool { return slices.Contains(h.cfg.Grants, grant) }

// Token serves the token endpoint (RFC 6749 §3.2). It parses the form itself and refuses a
// body that does not parse or repeats a parameter.
func (h *Handler) Token(w http.ResponseWriter, r *http.Request) { h.token.ServeHTTP(w, r) }

// Authorize serves the authorization endpoint (RFC 6749 §3.1); it answers every request
// with an error unless the authorization_code grant is enabled.
func (h *Handler) Authorize(w http.ResponseWriter, r *http.Request) {
	if !h.enabled(authz.GrantAuthorizationCode) {
		http.NotFound(w, r)
		return
	}
	h.serveAuthorize(w, r)
}

// Introspect serves the introspection endpoint (RFC 7662).
func (h *Handler) Introspect(w http.ResponseWriter, r *http.Request) { h.introspect.ServeHTTP(w, r) }

// Revoke serves the revocation endpoint (RFC 7009).
func (h *Handler) Revoke(w http.ResponseWriter, r *http.Request) { h.revoke.ServeHTTP(w, r) }

// Format returns the enabled access-token format with the given name, or nil.
func (h *Handler) Format(name string) tokenformat.Format { return h.adapter.Format(name) }

// FormatNames returns the names of the enabled formats, the default first.
func (h *Handler) FormatNames() []string { return h.adapter.FormatNames() }

// AssertionAlgorithms returns the signature algorithms a private_key_jwt client assertion
// may use, for server metadata (RFC 8414 token_endpoint_auth_signing_alg_values_supported).
func AssertionAlgorithms() []string {
	algs := make([]string, len(assertionAlgs))
	for i, a := range assertionAlgs {
		algs[i] = string(a)
	}
	return algs
}

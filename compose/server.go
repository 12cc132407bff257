package compose

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"
	"github.com/ory/fosite/handler/rfc7523"

	"github.com/oauthkit/oauthkit/adapters/clientsecret"
	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/storage/cache"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// The paths a Server serves, relative to the issuer's origin.
const (
	PathToken      = "/oauth2/token"
	PathAuthorize  = "/oauth2/authorize"
	PathIntrospect = "/oauth2/introspect"
	PathRevoke     = "/oauth2/revoke"
	PathJWKS       = "/.well-known/jwks.json"
	PathMetadata   = "/.well-known/oauth-authorization-server"
	PathRegister   = "/oauth2/register"
)

// Server is a composed authorization server. It is an http.Handler serving the paths
// above, and gives access to its parts. Close releases what New opened.
type Server struct {
	cfg     Config
	store   provider.Store
	keys    *keyset.Set
	adapter *fositeadapter.Adapter
	fcfg    *fosite.Config
	oauth   *fosite.Fosite
	mux     *http.ServeMux
	log     *slog.Logger
	guard   *clientsecret.Guard
	// jwks fetches clients' jwks_uri key sets; inlineKeys caches their parsed inline ones.
	jwks       *jwksfetch.Fetcher
	inlineKeys keyCache
	closers    []io.Closer
}

// New composes a server from c. It validates c, opens the store and key set if asked to,
// builds the enabled formats and fosite's handlers for the enabled grants, and returns an
// error that matches ErrConfig and names the field when c is wrong.
func New(ctx context.Context, c Config) (s *Server, err error) {
	c, err = c.withDefaults()
	if err != nil {
		return nil, err
	}
	s = &Server{cfg: c, log: c.Logger}
	opened := s
	defer func() {
		if err != nil {
			_ = opened.Close()
			s = nil
		}
	}()

	s.store = c.Store
	if s.store == nil {
		if s.store, err = open(ctx, c.StorageURL, c.Logger); err != nil {
			return nil, err
		}
		if cl, ok := s.store.(io.Closer); ok {
			s.closers = append(s.closers, cl)
		}
		if _, isMemory := s.store.(*memstore.Store); !isMemory && c.CacheTTL >= 0 {
			cached, err := cache.New(s.store, cache.Options{TTL: c.CacheTTL})
			if err != nil {
				return nil, fmt.Errorf("compose: cache: %w", err)
			}
			s.store = cached
			s.closers = append(s.closers, cached)
		}
	}

	s.keys = c.Keys
	if s.keys == nil {
		s.keys, err = keyset.New(ctx, s.store, c.KeySetName, c.KEK, keyset.Options{
			Algorithms: []string{keyset.ES256, keyset.HS256, keyset.A256GCM, keyset.ECDHESA256KW},
			Now:        c.Now,
			Logger:     c.Logger,
			EvictAfter: max(7*24*time.Hour, 2*c.AccessTokenLifespan),
		})
		if err != nil {
			return nil, fmt.Errorf("compose: key set: %w", err)
		}
		s.closers = append(s.closers, s.keys)
		if c.KeyCheckInterval > 0 {
			// The schedule stops when Close closes the set.
			if err := s.keys.Schedule(context.Background(), c.KeyCheckInterval); err != nil {
				return nil, fmt.Errorf("compose: key rotation schedule: %w", err)
			}
		}
	}

	secret := c.TokenSecret
	if secret == nil {
		if secret, err = hkdf.Key(sha256.New, c.KEK, nil, "oauthkit refresh token and code HMAC", 32); err != nil {
			return nil, fmt.Errorf("compose: derive token secret: %w", err)
		}
	}

	fmts, err := formats(c, s.keys)
	if err != nil {
		return nil, err
	}

	s.fcfg = &fosite.Config{
		AccessTokenLifespan:                  c.AccessTokenLifespan,
		RefreshTokenLifespan:                 c.RefreshTokenLifespan,
		AuthorizeCodeLifespan:                c.AuthorizeCodeLifespan,
		GlobalSecret:                         secret,
		TokenURL:                             c.Issuer + PathToken,
		AccessTokenIssuer:                    c.Issuer,
		IDTokenIssuer:                        c.Issuer,
		ScopeStrategy:                        fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:             fosite.DefaultAudienceMatchingStrategy,
		EnforcePKCE:                          c.RequirePKCE,
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
	}
	// fosite's default JWKS fetcher follows redirects, retries and reads without limit;
	// client keys are fetched by ours.
	if s.jwks, err = jwksfetch.New(c.ClientJWKS); err != nil {
		return nil, fmt.Errorf("%w: ClientJWKS: %w", ErrConfig, err)
	}
	s.fcfg.JWKSFetcherStrategy = fositeadapter.NewJWKSFetcher(s.jwks)
	s.adapter, err = fositeadapter.New(s.store, s.fcfg, fositeadapter.Options{Formats: fmts, Now: c.Now, Logger: c.Logger})
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if s.guard, err = clientsecret.NewGuard(clientsecret.GuardOptions{Cost: c.SecretHashCost, Now: c.Now}); err != nil {
		return nil, configErr("SecretHashCost", "%v", err)
	}
	s.oauth = fosite.NewOAuth2Provider(s.adapter, s.fcfg)
	s.fcfg.ClientAuthenticationStrategy = s.authenticateClient
	s.handlers()
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// handlers registers fosite's handlers for exactly the enabled grants, in the order fosite
// needs (the PKCE handler after the authorization code handler). Token endpoint handlers are
// appended directly: TokenEndpointHandlers.Append drops a handler whose type is already
// listed, and every guarded handler has the same type.
func (s *Server) handlers() {
	a, cfg := s.adapter, s.fcfg
	helper := &oauth2.HandleHelper{AccessTokenStrategy: a, AccessTokenStorage: a, Config: cfg}
	if s.enabled(GrantAuthorizationCode) {
		code := &oauth2.AuthorizeExplicitGrantHandler{
			AccessTokenStrategy: a, RefreshTokenStrategy: a, AuthorizeCodeStrategy: a,
			CoreStorage: a, TokenRevocationStorage: a, Config: cfg,
		}
		p := &pkce.Handler{AuthorizeCodeStrategy: a, Storage: a, Config: cfg}
		cfg.AuthorizeEndpointHandlers.Append(code)
		cfg.AuthorizeEndpointHandlers.Append(p)
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{code})
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{p})
	}
	if s.enabled(GrantClientCredentials) {
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{&oauth2.ClientCredentialsGrantHandler{HandleHelper: helper, Config: cfg}})
	}
	if s.enabled(GrantRefreshToken) {
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{&oauth2.RefreshTokenGrantHandler{
			AccessTokenStrategy: a, RefreshTokenStrategy: a, TokenRevocationStorage: a, Config: cfg,
		}})
	}
	if s.enabled(GrantJWTBearer) {
		grantCfg := assertionAudiences{Config: cfg, urls: []string{cfg.TokenURL, s.cfg.Issuer}}
		cfg.TokenEndpointHandlers = append(cfg.TokenEndpointHandlers, guarded{&rfc7523.Handler{Storage: a, HandleHelper: helper, Config: grantCfg}})
	}
	cfg.TokenIntrospectionHandlers.Append(&oauth2.CoreValidator{CoreStrategy: a, CoreStorage: a, Config: cfg})
	cfg.RevocationHandlers.Append(&oauth2.TokenRevocationHandler{
		TokenRevocationStorage: a, RefreshTokenStrategy: a, AccessTokenStrategy: a,
	})
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

func (s *Server) enabled(grant string) bool { return slices.Contains(s.cfg.Grants, grant) }

// ServeHTTP serves the server's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Store returns the server's store.
func (s *Server) Store() provider.Store { return s.store }

// Keys returns the server's key set.
func (s *Server) Keys() *keyset.Set { return s.keys }

// Adapter returns the fosite adapter (storage and token strategy).
func (s *Server) Adapter() *fositeadapter.Adapter { return s.adapter }

// OAuth2Provider returns the fosite provider, for endpoints of your own.
func (s *Server) OAuth2Provider() fosite.OAuth2Provider { return s.oauth }

// Format returns the enabled access-token format with the given name, or nil.
func (s *Server) Format(name string) tokenformat.Format { return s.adapter.Format(name) }

// Config returns the configuration with defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Close releases the key set and store New opened (not ones passed in Config).
func (s *Server) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i].Close())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// SecretGuard returns the guard that verifies client secrets, for its counters.
func (s *Server) SecretGuard() *clientsecret.Guard { return s.guard }

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
	cfg   Config
	store provider.Store
	keys  *keyset.Set
	// protocol serves the token, authorization, introspection and revocation endpoints.
	protocol *fositeadapter.Handler
	mux      *http.ServeMux
	log      *slog.Logger
	guard    *clientsecret.Guard
	closers  []io.Closer
}

// New composes a server from c. It validates c, opens the store and key set if asked to,
// builds the enabled formats and the protocol endpoints for the enabled grants, and returns an
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

	// fosite's default JWKS fetcher follows redirects, retries and reads without limit;
	// client keys are fetched by ours.
	clientKeys, err := jwksfetch.New(c.ClientJWKS)
	if err != nil {
		return nil, fmt.Errorf("%w: ClientJWKS: %w", ErrConfig, err)
	}
	if s.guard, err = clientsecret.NewGuard(clientsecret.GuardOptions{Cost: c.SecretHashCost, Now: c.Now}); err != nil {
		return nil, configErr("SecretHashCost", "%v", err)
	}
	s.protocol, err = fositeadapter.NewHandler(fositeadapter.HandlerConfig{
		Issuer:                c.Issuer,
		TokenURL:              c.Issuer + PathToken,
		Store:                 s.store,
		Formats:               fmts,
		TokenSecret:           secret,
		AccessTokenLifespan:   c.AccessTokenLifespan,
		RefreshTokenLifespan:  c.RefreshTokenLifespan,
		AuthorizeCodeLifespan: c.AuthorizeCodeLifespan,
		Grants:                c.Grants,
		RequirePKCE:           c.RequirePKCE,
		AuthMethods:           c.AuthMethods,
		JWTBearerPolicy:       c.JWTBearerPolicy,
		ClientAssertionMaxAge: c.ClientAssertionMaxAge,
		SecretGuard:           s.guard,
		ResourceServers:       c.ResourceServers,
		IntrospectionPolicy:   c.IntrospectionPolicy,
		DefaultAudience:       c.DefaultAudience,
		ClientJWKS:            clientKeys,
		Login:                 c.Login,
		Logger:                c.Logger,
		Now:                   c.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) enabled(grant string) bool { return slices.Contains(s.cfg.Grants, grant) }

// ServeHTTP serves the server's endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Store returns the server's store.
func (s *Server) Store() provider.Store { return s.store }

// Keys returns the server's key set.
func (s *Server) Keys() *keyset.Set { return s.keys }

// Format returns the enabled access-token format with the given name, or nil.
func (s *Server) Format(name string) tokenformat.Format { return s.protocol.Format(name) }

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

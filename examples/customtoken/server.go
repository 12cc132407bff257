package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/compose"
	"github.com/oauthkit/oauthkit/storage/memstore"
	"github.com/oauthkit/oauthkit/tokenformat"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
	"github.com/oauthkit/oauthkit/validation"
	"github.com/oauthkit/oauthkit/validation/local"
)

// options are what main's flags and the tests choose.
type options struct {
	issuer   string // the authorization server's URL
	audience string // the resource server's identifier, the aud of its tokens
	kek      []byte // 32 bytes sealing private keys in the store
	open     bool   // RFC 7591 registration without an initial access token
	now      func() time.Time
	logger   *slog.Logger
}

// authServer is an authorization server offering paseto-v4 beside the default jws format.
type authServer struct {
	*compose.Server
	store *memstore.Store
	keys  *keyset.Set
}

// newAuthServer composes the authorization server. compose creates a key set with ES256,
// HS256 and the encryption keys of its built-in formats, and has no option for more
// algorithms, so the key set is made here with an EdDSA key too and handed to compose,
// which then builds the paseto-v4 format with it (tokenformat.Env.Keys).
func newAuthServer(ctx context.Context, o options) (*authServer, error) {
	store := memstore.New(memstore.Options{Now: o.now, Logger: o.logger})
	keys, err := keyset.New(ctx, store, "default", o.kek, keyset.Options{
		Algorithms: []string{keyset.ES256, keyset.EdDSA},
		Now:        o.now,
		Logger:     o.logger,
	})
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	var reg *registration.Options
	if o.open {
		// Clients register themselves (RFC 7591) and may name access_token_format:
		// paseto-v4 or jws, the formats the server enables.
		reg = &registration.Options{
			Open:       true,
			GrantTypes: []string{registration.GrantClientCredentials},
			Scopes:     []string{"read", "write"},
			Audience:   []string{o.audience},
		}
	}
	srv, err := compose.New(ctx, compose.Config{
		Issuer:        o.issuer,
		Store:         store,
		Keys:          keys,
		KEK:           o.kek,
		CustomFormats: map[string]tokenformat.Constructor{FormatName: NewFormat},
		Grants:        []string{compose.GrantClientCredentials},
		Registration:  reg,
		Now:           o.now,
		Logger:        o.logger,
	})
	if err != nil {
		_ = keys.Close()
		_ = store.Close()
		return nil, err
	}
	return &authServer{Server: srv, store: store, keys: keys}, nil
}

// Close stops the server, then the key set and the store it was given.
func (s *authServer) Close() error {
	return errors.Join(s.Server.Close(), s.keys.Close(), s.store.Close())
}

// resourceServer is an API that accepts the authorization server's access tokens, JWT or
// paseto-v4, each validated locally with the keys of the issuer's JWKS.
type resourceServer struct {
	http.Handler
	keys *local.RemoteKeys
	jwt  *local.Validator
}

// newResourceServer builds the API: GET /hello answers the token's sub, client_id and scope
// to any valid token, and every other request is refused with RFC 6750 errors by the
// middleware. The keys are found by RFC 8414 discovery at issuer.
func newResourceServer(o options, client *http.Client) (*resourceServer, error) {
	keys, err := local.Discover(o.issuer, local.RemoteOptions{HTTPClient: client, Now: o.now, Logger: o.logger})
	if err != nil {
		return nil, err
	}
	jwt, err := local.New(o.issuer, o.audience, []string{"ES256"}, keys, local.Options{Now: o.now})
	if err != nil {
		_ = keys.Close()
		return nil, err
	}
	paseto, err := NewValidator(o.issuer, o.audience, keys, o.now)
	if err != nil {
		_ = jwt.Close()
		_ = keys.Close()
		return nil, err
	}
	chain := validation.Chain{JWT: jwt, Opaque: paseto}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		c, _ := validation.FromContext(r.Context()) // the middleware let the request through
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"sub": c.Subject, "client_id": c.ClientID, "scope": c.Scope})
	})
	h := validation.Middleware(chain, validation.Options{Realm: o.audience, Logger: o.logger})(mux)
	return &resourceServer{Handler: h, keys: keys, jwt: jwt}, nil
}

// Close stops the key set's fetches and the JWT validator's cache.
func (s *resourceServer) Close() error { return errors.Join(s.jwt.Close(), s.keys.Close()) }

package compose

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/oauthkit/oauthkit/adapters/registration"
	"github.com/oauthkit/oauthkit/provider"
	"github.com/oauthkit/oauthkit/tokenformat/keyset"
)

// routes mounts the endpoints at the Path constants: the protocol endpoints of the fosite
// adapter behind the body limit, the key set, registration when configured, and metadata.
func (s *Server) routes() error {
	s.mux = http.NewServeMux()
	s.mux.Handle("POST "+PathToken, limit(http.HandlerFunc(s.protocol.Token)))
	if s.enabled(GrantAuthorizationCode) {
		s.mux.Handle(PathAuthorize, limit(http.HandlerFunc(s.protocol.Authorize)))
	}
	s.mux.Handle("POST "+PathIntrospect, limit(http.HandlerFunc(s.protocol.Introspect)))
	s.mux.Handle("POST "+PathRevoke, limit(http.HandlerFunc(s.protocol.Revoke)))
	s.mux.Handle("GET "+PathJWKS, s.keys.Handler(keyset.HandlerOptions{}))
	if s.cfg.Registration != nil {
		opts := *s.cfg.Registration
		if opts.GrantTypes == nil {
			// Registration's own default, within what is enabled: a client never registers
			// itself a grant the operator did not list (client_credentials, jwt-bearer).
			for _, g := range []string{GrantAuthorizationCode, GrantRefreshToken} {
				if s.enabled(g) {
					opts.GrantTypes = append(opts.GrantTypes, g)
				}
			}
			if opts.GrantTypes == nil {
				return configErr("Registration.GrantTypes", "none of the default grant types (authorization_code, refresh_token) is enabled; list the grants clients may register")
			}
		}
		for _, g := range opts.GrantTypes {
			if !s.enabled(g) {
				return configErr("Registration.GrantTypes", "%q is not an enabled grant type", g)
			}
		}
		if opts.AuthMethods == nil {
			opts.AuthMethods = s.cfg.AuthMethods
			if s.enabled(GrantAuthorizationCode) {
				opts.AuthMethods = append(slices.Clone(opts.AuthMethods), provider.AuthNone)
			}
		}
		if opts.AccessTokenFormats == nil {
			opts.AccessTokenFormats = s.protocol.FormatNames()
		}
		if opts.Logger == nil {
			opts.Logger = s.log
		}
		if opts.Now == nil {
			opts.Now = s.cfg.Now
		}
		opts.JWKSURI = s.cfg.ClientJWKS
		reg, err := registration.New(s.store, s.cfg.Issuer+PathRegister, opts)
		if err != nil {
			return fmt.Errorf("%w: Registration: %w", ErrConfig, err)
		}
		reg.Mount(s.mux)
	}
	return s.metadataRoute()
}

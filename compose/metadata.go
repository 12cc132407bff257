package compose

import (
	"fmt"
	"slices"

	fositeadapter "github.com/oauthkit/oauthkit/adapters/fosite"
	"github.com/oauthkit/oauthkit/adapters/metadata"
	"github.com/oauthkit/oauthkit/provider"
)

// Metadata returns the server's RFC 8414 metadata: exactly the endpoints, grants and client
// authentication methods enabled.
func (s *Server) Metadata() metadata.Metadata {
	iss := s.cfg.Issuer
	m := metadata.Metadata{
		Issuer:                                    iss,
		TokenEndpoint:                             iss + PathToken,
		JWKSURI:                                   iss + PathJWKS,
		GrantTypesSupported:                       slices.Clone(s.cfg.Grants),
		ResponseTypesSupported:                    []string{},
		TokenEndpointAuthMethodsSupported:         slices.Clone(s.cfg.AuthMethods),
		RevocationEndpoint:                        iss + PathRevoke,
		RevocationEndpointAuthMethodsSupported:    slices.Clone(s.cfg.AuthMethods),
		IntrospectionEndpoint:                     iss + PathIntrospect,
		IntrospectionEndpointAuthMethodsSupported: slices.Clone(s.cfg.AuthMethods),
	}
	if slices.Contains(s.cfg.AuthMethods, provider.AuthPrivateKeyJWT) {
		algs := fositeadapter.AssertionAlgorithms()
		m.TokenEndpointAuthSigningAlgValuesSupported = algs
		m.RevocationEndpointAuthSigningAlgValuesSupported = algs
		m.IntrospectionEndpointAuthSigningAlgValuesSupported = algs
	}
	if s.cfg.Registration != nil {
		m.RegistrationEndpoint = iss + PathRegister
	}
	if s.enabled(GrantAuthorizationCode) {
		m.AuthorizationEndpoint = iss + PathAuthorize
		m.ResponseTypesSupported = []string{"code"}
		m.CodeChallengeMethodsSupported = []string{"S256"}
		m.AuthorizationResponseIssParameterSupported = true // RFC 9207 §3
	}
	return m
}

func (s *Server) metadataRoute() error {
	h, err := metadata.NewHandler(s.Metadata(), metadata.Options{})
	if err != nil {
		return fmt.Errorf("compose: metadata: %w", err)
	}
	path, err := metadata.WellKnownPath(s.cfg.Issuer)
	if err != nil {
		return fmt.Errorf("compose: metadata: %w", err)
	}
	s.mux.Handle("GET "+path, h)
	return nil
}

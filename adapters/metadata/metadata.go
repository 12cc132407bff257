package metadata

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/oauthkit/oauthkit/internal/loopback"
)

// WellKnownSuffix is the well-known URI suffix registered by RFC 8414 §7.3.
const WellKnownSuffix = "/.well-known/oauth-authorization-server"

// Metadata is an RFC 8414 §2 authorization server metadata document. Slices that are nil are
// omitted from the JSON; ResponseTypesSupported, which RFC 8414 requires, is always written
// (as [] when the server has no authorization endpoint).
//
// Fill it with what the server actually enables: Validate refuses values RFC 8414 forbids,
// but it cannot know whether an endpoint listed here is really mounted.
type Metadata struct {
	// Issuer is the authorization server's issuer identifier: an https URL (http only for a
	// loopback host, for development) with no query or fragment. Required.
	Issuer string `json:"issuer"`
	// AuthorizationEndpoint is the URL of the authorization endpoint (RFC 6749 §3.1).
	// Required when a grant type that uses it (authorization_code, implicit) is supported.
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`
	// TokenEndpoint is the URL of the token endpoint (RFC 6749 §3.2). Required unless the
	// only grant type supported is implicit.
	TokenEndpoint string `json:"token_endpoint,omitempty"`
	// JWKSURI is the URL of the server's JWK Set (RFC 7517), with the keys that sign its
	// tokens.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// RegistrationEndpoint is the URL of the dynamic client registration endpoint (RFC 7591).
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`
	// ScopesSupported lists the scope values the server supports (RECOMMENDED).
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// ResponseTypesSupported lists the response_type values the server supports ("code").
	ResponseTypesSupported []string `json:"response_types_supported"`
	// ResponseModesSupported lists the response_mode values the server supports.
	ResponseModesSupported []string `json:"response_modes_supported,omitempty"`
	// GrantTypesSupported lists the grant types the server supports. Required here (RFC 8414
	// lets it be omitted, but then it means authorization_code and implicit).
	GrantTypesSupported []string `json:"grant_types_supported"`
	// TokenEndpointAuthMethodsSupported lists the client authentication methods of the token
	// endpoint ("client_secret_basic", "client_secret_post", "private_key_jwt", "none").
	// Required when TokenEndpoint is set.
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	// TokenEndpointAuthSigningAlgValuesSupported lists the JWS algorithms accepted for
	// private_key_jwt and client_secret_jwt. Required when either method is listed; "none"
	// is refused.
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	// ServiceDocumentation is a URL of human-readable documentation for developers.
	ServiceDocumentation string `json:"service_documentation,omitempty"`
	// UILocalesSupported lists the BCP 47 languages of the user interface.
	UILocalesSupported []string `json:"ui_locales_supported,omitempty"`
	// OpPolicyURI is a URL of the server's policy on client data.
	OpPolicyURI string `json:"op_policy_uri,omitempty"`
	// OpTOSURI is a URL of the server's terms of service.
	OpTOSURI string `json:"op_tos_uri,omitempty"`
	// RevocationEndpoint is the URL of the revocation endpoint (RFC 7009).
	RevocationEndpoint string `json:"revocation_endpoint,omitempty"`
	// RevocationEndpointAuthMethodsSupported lists the client authentication methods of the
	// revocation endpoint. Required when RevocationEndpoint is set.
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	// RevocationEndpointAuthSigningAlgValuesSupported is as the token endpoint's, for
	// revocation.
	RevocationEndpointAuthSigningAlgValuesSupported []string `json:"revocation_endpoint_auth_signing_alg_values_supported,omitempty"`
	// IntrospectionEndpoint is the URL of the introspection endpoint (RFC 7662).
	IntrospectionEndpoint string `json:"introspection_endpoint,omitempty"`
	// IntrospectionEndpointAuthMethodsSupported lists the authentication methods of the
	// introspection endpoint. Required when IntrospectionEndpoint is set.
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	// IntrospectionEndpointAuthSigningAlgValuesSupported is as the token endpoint's, for
	// introspection.
	IntrospectionEndpointAuthSigningAlgValuesSupported []string `json:"introspection_endpoint_auth_signing_alg_values_supported,omitempty"`
	// CodeChallengeMethodsSupported lists the PKCE methods (RFC 7636). Only "S256" is
	// accepted: "plain" offers no protection against a code interceptor who can read the
	// authorization request. Required when authorization_code is supported.
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
	// AuthorizationResponseIssParameterSupported says that the authorization response
	// carries an iss parameter (RFC 9207).
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`

	// Extra holds further members (extensions), written as they are. A key that names one of
	// the members above is refused by Validate.
	Extra map[string]json.RawMessage `json:"-"`
}

// Validate reports whether m is a well-formed RFC 8414 document for a server that enables
// what it lists. The error names the first offending field by its JSON name.
func (m *Metadata) Validate() error {
	if err := checkIssuer(m.Issuer); err != nil {
		return err
	}
	urls := []struct {
		name, value string
	}{
		{"authorization_endpoint", m.AuthorizationEndpoint},
		{"token_endpoint", m.TokenEndpoint},
		{"jwks_uri", m.JWKSURI},
		{"registration_endpoint", m.RegistrationEndpoint},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
	}
	for _, u := range urls {
		if u.value == "" {
			continue
		}
		if err := checkEndpoint(u.value); err != nil {
			return fmt.Errorf("metadata: %s: %w", u.name, err)
		}
	}
	docs := []struct {
		name, value string
	}{
		{"service_documentation", m.ServiceDocumentation},
		{"op_policy_uri", m.OpPolicyURI},
		{"op_tos_uri", m.OpTOSURI},
	}
	for _, u := range docs {
		if u.value == "" {
			continue
		}
		if err := checkWebURL(u.value); err != nil {
			return fmt.Errorf("metadata: %s: %w", u.name, err)
		}
	}
	lists := []struct {
		name   string
		values []string
	}{
		{"scopes_supported", m.ScopesSupported},
		{"response_types_supported", m.ResponseTypesSupported},
		{"response_modes_supported", m.ResponseModesSupported},
		{"grant_types_supported", m.GrantTypesSupported},
		{"token_endpoint_auth_methods_supported", m.TokenEndpointAuthMethodsSupported},
		{"token_endpoint_auth_signing_alg_values_supported", m.TokenEndpointAuthSigningAlgValuesSupported},
		{"ui_locales_supported", m.UILocalesSupported},
		{"revocation_endpoint_auth_methods_supported", m.RevocationEndpointAuthMethodsSupported},
		{"revocation_endpoint_auth_signing_alg_values_supported", m.RevocationEndpointAuthSigningAlgValuesSupported},
		{"introspection_endpoint_auth_methods_supported", m.IntrospectionEndpointAuthMethodsSupported},
		{"introspection_endpoint_auth_signing_alg_values_supported", m.IntrospectionEndpointAuthSigningAlgValuesSupported},
		{"code_challenge_methods_supported", m.CodeChallengeMethodsSupported},
	}
	for _, l := range lists {
		for i, v := range l.values {
			if v == "" || strings.TrimSpace(v) != v {
				return fmt.Errorf("metadata: %s[%d]: empty or padded value", l.name, i)
			}
			if slices.Index(l.values, v) != i {
				return fmt.Errorf("metadata: %s: %q listed twice", l.name, v)
			}
		}
	}
	for _, sc := range m.ScopesSupported {
		if strings.ContainsAny(sc, " \"\\") || !isPrintableASCII(sc) {
			return fmt.Errorf("metadata: scopes_supported: %q is not a scope token (RFC 6749 §3.3)", sc)
		}
	}
	if len(m.GrantTypesSupported) == 0 {
		return errors.New("metadata: grant_types_supported: empty (an omitted list would mean authorization_code and implicit)")
	}
	if m.ResponseTypesSupported == nil {
		return errors.New("metadata: response_types_supported: nil (use an empty list when the server has no authorization endpoint)")
	}
	redirecting := slices.Contains(m.GrantTypesSupported, "authorization_code") ||
		slices.Contains(m.GrantTypesSupported, "implicit")
	switch {
	case redirecting && m.AuthorizationEndpoint == "":
		return errors.New("metadata: authorization_endpoint: required by authorization_code and implicit")
	case !redirecting && len(m.ResponseTypesSupported) > 0:
		return errors.New("metadata: response_types_supported: listed without authorization_code or implicit in grant_types_supported")
	case slices.Contains(m.GrantTypesSupported, "authorization_code") && !slices.Contains(m.ResponseTypesSupported, "code"):
		return errors.New(`metadata: response_types_supported: authorization_code needs "code"`)
	case slices.Contains(m.ResponseTypesSupported, "code") && !slices.Contains(m.GrantTypesSupported, "authorization_code"):
		return errors.New(`metadata: grant_types_supported: response type "code" needs authorization_code`)
	case slices.Contains(m.GrantTypesSupported, "authorization_code") && len(m.CodeChallengeMethodsSupported) == 0:
		return errors.New(`metadata: code_challenge_methods_supported: authorization_code needs PKCE ("S256")`)
	case m.TokenEndpoint == "" && slices.ContainsFunc(m.GrantTypesSupported, func(g string) bool { return g != "implicit" }):
		return errors.New("metadata: token_endpoint: required by every grant type but implicit")
	case m.TokenEndpoint != "" && len(m.TokenEndpointAuthMethodsSupported) == 0:
		return errors.New("metadata: token_endpoint_auth_methods_supported: empty (an omitted list would mean client_secret_basic)")
	case m.RevocationEndpoint != "" && len(m.RevocationEndpointAuthMethodsSupported) == 0:
		return errors.New("metadata: revocation_endpoint_auth_methods_supported: empty (an omitted list would mean client_secret_basic)")
	case m.IntrospectionEndpoint != "" && len(m.IntrospectionEndpointAuthMethodsSupported) == 0:
		return errors.New("metadata: introspection_endpoint_auth_methods_supported: empty while introspection_endpoint is set")
	}
	for _, c := range m.CodeChallengeMethodsSupported {
		if c != "S256" {
			return fmt.Errorf("metadata: code_challenge_methods_supported: %q refused; only S256 is supported", c)
		}
	}
	for _, a := range []struct {
		prefix  string
		methods []string
		algs    []string
	}{
		{"token_endpoint", m.TokenEndpointAuthMethodsSupported, m.TokenEndpointAuthSigningAlgValuesSupported},
		{"revocation_endpoint", m.RevocationEndpointAuthMethodsSupported, m.RevocationEndpointAuthSigningAlgValuesSupported},
		{"introspection_endpoint", m.IntrospectionEndpointAuthMethodsSupported, m.IntrospectionEndpointAuthSigningAlgValuesSupported},
	} {
		jwt := slices.Contains(a.methods, "private_key_jwt") || slices.Contains(a.methods, "client_secret_jwt")
		if jwt && len(a.algs) == 0 {
			return fmt.Errorf("metadata: %s_auth_signing_alg_values_supported: required by private_key_jwt and client_secret_jwt", a.prefix)
		}
		if slices.Contains(a.algs, "none") {
			return fmt.Errorf(`metadata: %s_auth_signing_alg_values_supported: "none" is not allowed (RFC 8414 §2)`, a.prefix)
		}
	}
	for k, v := range m.Extra {
		if isStandardMember(k) {
			return fmt.Errorf("metadata: Extra: %q is a standard member; set its field instead", k)
		}
		if !json.Valid(v) {
			return fmt.Errorf("metadata: Extra: %q is not valid JSON", k)
		}
	}
	return nil
}

// MarshalJSON writes the document with the members in Extra added.
func (m Metadata) MarshalJSON() ([]byte, error) {
	type plain Metadata
	b, err := json.Marshal(plain(m))
	if err != nil || len(m.Extra) == 0 {
		return b, err
	}
	all := make(map[string]json.RawMessage, len(m.Extra)+24)
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range m.Extra {
		if _, ok := all[k]; !ok {
			all[k] = v
		}
	}
	return json.Marshal(all)
}

// isStandardMember reports whether name is an RFC 8414 member Metadata has a field for,
// whether or not m sets it.
func isStandardMember(name string) bool {
	switch name {
	case "issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint",
		"scopes_supported", "response_types_supported", "response_modes_supported",
		"grant_types_supported", "token_endpoint_auth_methods_supported",
		"token_endpoint_auth_signing_alg_values_supported", "service_documentation",
		"ui_locales_supported", "op_policy_uri", "op_tos_uri", "revocation_endpoint",
		"revocation_endpoint_auth_methods_supported",
		"revocation_endpoint_auth_signing_alg_values_supported", "introspection_endpoint",
		"introspection_endpoint_auth_methods_supported",
		"introspection_endpoint_auth_signing_alg_values_supported",
		"code_challenge_methods_supported", "authorization_response_iss_parameter_supported",
		"signed_metadata":
		return true
	}
	return false
}

// checkIssuer applies RFC 8414 §2 to an issuer identifier.
func checkIssuer(issuer string) error {
	if issuer == "" {
		return errors.New("metadata: issuer: empty")
	}
	u, err := url.Parse(issuer)
	if err != nil {
		return errors.New("metadata: issuer: not a URL")
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(issuer, "?#") {
		return errors.New("metadata: issuer: must have no query or fragment (RFC 8414 §2)")
	}
	if err := checkSecureURL(u); err != nil {
		return fmt.Errorf("metadata: issuer: %w", err)
	}
	return nil
}

// checkEndpoint applies RFC 6749 §3.1/§3.2 to an endpoint URL: absolute, TLS (or loopback),
// no fragment. A query is allowed.
func checkEndpoint(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return errors.New("must have no fragment")
	}
	return checkSecureURL(u)
}

func checkWebURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	return nil
}

// checkSecureURL accepts https URLs, and http URLs whose host is a loopback address or
// "localhost" (development); it refuses user information.
func checkSecureURL(u *url.URL) error {
	if u.Host == "" || u.Opaque != "" {
		return errors.New("must be an absolute URL with a host")
	}
	if u.User != nil {
		return errors.New("must not carry user information")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if loopback.Host(u.Hostname()) {
			return nil
		}
		return errors.New("http is allowed only for a loopback host; use https")
	}
	return errors.New("scheme must be https")
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// WellKnownURL returns the URL of the metadata document of issuer (RFC 8414 §3.1): the
// well-known suffix is inserted between the host and the issuer's path, after removing a
// terminating "/" from the path. "https://as.example/tenant1" becomes
// "https://as.example/.well-known/oauth-authorization-server/tenant1".
func WellKnownURL(issuer string) (string, error) {
	if err := checkIssuer(issuer); err != nil {
		return "", err
	}
	u, _ := url.Parse(issuer)
	path := WellKnownSuffix + strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + path, nil
}

// WellKnownPath returns the path component of WellKnownURL(issuer), for mounting the
// handler on a mux.
func WellKnownPath(issuer string) (string, error) {
	s, err := WellKnownURL(issuer)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("metadata: %w", err)
	}
	return u.Path, nil
}

package registration

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
	"github.com/oauthkit/oauthkit/internal/loopback"
	"github.com/oauthkit/oauthkit/provider"
)

// metadata is a validated request: the client fields it sets.
type metadata struct {
	redirectURIs  []string
	grantTypes    []string
	responseTypes []string
	authMethod    string
	name          string
	scopes        []string
	jwks          json.RawMessage
	jwksURI       string
	format        string
	extra         json.RawMessage
}

// apply sets the client fields a registration or an update controls.
func (m *metadata) apply(c *provider.Client) {
	c.RedirectURIs = m.redirectURIs
	c.GrantTypes = m.grantTypes
	c.ResponseTypes = m.responseTypes
	c.TokenEndpointAuthMethod = m.authMethod
	c.Name = m.name
	c.Scopes = m.scopes
	c.JWKS = m.jwks
	c.JWKSURI = m.jwksURI
	c.AccessTokenFormat = m.format
	c.Metadata = m.extra
}

// needsSecret reports whether a client with this auth method authenticates with a secret.
func needsSecret(method string) bool {
	return method == provider.AuthClientSecretBasic || method == provider.AuthClientSecretPost
}

// validate applies the server's policy and RFC 7591 §2 to a parsed request, filling in the
// RFC's defaults.
func (h *Handler) validate(r *request) (*metadata, *oauthError) {
	m := &metadata{name: r.name, jwksURI: r.jwksURI, format: r.format}

	// Grant and response types, with RFC 7591 §2 defaults chosen to be consistent with each
	// other: response types default to what the grant types need, grant types to what the
	// response types need (authorization_code when neither is given).
	m.grantTypes = dedupe(r.grantTypes)
	m.responseTypes = dedupe(r.responseTypes)
	if m.grantTypes == nil {
		switch {
		case m.responseTypes == nil:
			m.grantTypes = []string{GrantAuthorizationCode}
		default:
			for _, rt := range m.responseTypes {
				switch rt {
				case "code":
					m.grantTypes = append(m.grantTypes, GrantAuthorizationCode)
				case "token":
					m.grantTypes = append(m.grantTypes, GrantImplicit)
				}
			}
		}
	}
	if len(m.grantTypes) == 0 {
		return nil, errMetadata("grant_types must not be empty")
	}
	if m.responseTypes == nil {
		m.responseTypes = []string{}
		if slices.Contains(m.grantTypes, GrantAuthorizationCode) {
			m.responseTypes = append(m.responseTypes, "code")
		}
		if slices.Contains(m.grantTypes, GrantImplicit) {
			m.responseTypes = append(m.responseTypes, "token")
		}
	}
	for _, g := range m.grantTypes {
		if !slices.Contains(h.grants, g) {
			return nil, errMetadata(fmt.Sprintf("grant type %q is not enabled on this server", truncate(g)))
		}
	}
	for _, rt := range m.responseTypes {
		if !slices.Contains(h.responseTypes, rt) {
			return nil, errMetadata(fmt.Sprintf("response type %q is not enabled on this server", truncate(rt)))
		}
	}
	for _, pair := range [][2]string{{GrantAuthorizationCode, "code"}, {GrantImplicit, "token"}} {
		g, rt := slices.Contains(m.grantTypes, pair[0]), slices.Contains(m.responseTypes, pair[1])
		if g != rt {
			return nil, errMetadata(fmt.Sprintf("grant type %s and response type %s go together (RFC 7591 §2.1)", pair[0], pair[1]))
		}
	}

	// Client authentication.
	m.authMethod = r.authMethod
	if m.authMethod == "" {
		m.authMethod = provider.AuthClientSecretBasic
	}
	if !slices.Contains(h.authMethods, m.authMethod) {
		return nil, errMetadata(fmt.Sprintf("token_endpoint_auth_method %q is not enabled on this server", truncate(m.authMethod)))
	}
	if m.authMethod == provider.AuthNone && slices.Contains(m.grantTypes, GrantClientCredentials) {
		return nil, errMetadata("client_credentials needs a confidential client; token_endpoint_auth_method none is a public client (RFC 6749 §4.4)")
	}
	if len(r.jwks) > 0 && r.jwksURI != "" {
		return nil, errMetadata("jwks and jwks_uri must not both be present (RFC 7591 §2)")
	}
	if m.authMethod == provider.AuthPrivateKeyJWT && len(r.jwks) == 0 && r.jwksURI == "" {
		return nil, errMetadata("private_key_jwt needs jwks or jwks_uri")
	}
	if len(r.jwks) > 0 {
		jwks, err := checkJWKS(r.jwks)
		if err != nil {
			return nil, errMetadata("jwks: " + err.Error())
		}
		m.jwks = jwks
	}
	if r.jwksURI != "" {
		if err := h.jwksURI.ValidateURI(r.jwksURI); err != nil {
			return nil, errMetadata(jwksURIProblem(err))
		}
	}

	// Redirect URIs.
	redirecting := slices.Contains(m.grantTypes, GrantAuthorizationCode) || slices.Contains(m.grantTypes, GrantImplicit)
	if redirecting && len(r.redirectURIs) == 0 {
		return nil, errRedirect("redirect_uris is required for authorization_code and implicit")
	}
	for i, u := range r.redirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return nil, errRedirect(fmt.Sprintf("redirect_uris[%d]: %s", i, err))
		}
		if slices.Index(r.redirectURIs, u) != i {
			return nil, errRedirect(fmt.Sprintf("redirect_uris[%d]: listed twice", i))
		}
	}
	m.redirectURIs = slices.Clone(r.redirectURIs)

	// Scope.
	if r.hasScope {
		for _, s := range strings.Split(r.scope, " ") {
			if s == "" {
				continue
			}
			if !validScopeToken(s) {
				return nil, errMetadata("scope: not a space-separated list of scope tokens (RFC 6749 §3.3)")
			}
			if !slices.Contains(h.scopes, s) {
				return nil, errMetadata(fmt.Sprintf("scope %q is not allowed on this server", truncate(s)))
			}
			if !slices.Contains(m.scopes, s) {
				m.scopes = append(m.scopes, s)
			}
		}
	} else {
		m.scopes = slices.Clone(h.defaultScopes)
	}

	// Access-token format (oauthkit extension).
	if m.format != "" && !slices.Contains(h.formats, m.format) {
		return nil, errMetadata(fmt.Sprintf("access_token_format %q is not enabled on this server", truncate(m.format)))
	}

	if len(r.keep) > 0 {
		extra, err := json.Marshal(r.keep)
		if err != nil {
			return nil, errMetadata("a member is not valid JSON")
		}
		m.extra = extra
	}
	return m, nil
}

func dedupe(l []string) []string {
	if l == nil {
		return nil
	}
	out := make([]string, 0, len(l))
	for _, s := range l {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// checkRedirectURI accepts, after RFC 6749 §3.1.2 and RFC 8252 §7: absolute https URLs;
// http URLs on a loopback host; private-use URI schemes in reverse-domain form for native
// apps. None may have a fragment.
func checkRedirectURI(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	if !printableASCII(s) {
		return errors.New("must be printable ASCII without spaces")
	}
	if strings.Contains(s, "#") {
		return errors.New("must not have a fragment (RFC 6749 §3.1.2)")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URI")
	}
	if !u.IsAbs() {
		return errors.New("must be an absolute URI")
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return errors.New("https URI without a host")
		}
	case "http":
		if u.Host == "" || !loopback.Host(u.Hostname()) {
			return errors.New("http is allowed only on a loopback host (RFC 8252 §7.3); use https")
		}
	default:
		if !strings.Contains(u.Scheme, ".") {
			return errors.New("scheme must be https, loopback http, or a private-use scheme in reverse-domain form (RFC 8252 §7.1)")
		}
	}
	if u.User != nil {
		return errors.New("must not carry user information")
	}
	return nil
}

// jwksURIProblem describes why a jwks_uri was refused, from the fixed messages of
// jwksfetch's errors (never from a fetch: registration fetches nothing).
func jwksURIProblem(err error) string {
	if errors.Is(err, jwksfetch.ErrForbiddenAddress) {
		return "jwks_uri: the host must be a public address (not private, loopback, link-local or a metadata service)"
	}
	return "jwks_uri: must be an absolute https URL without user information or fragment"
}

func checkWebURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || !printableASCII(s) || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be an absolute http or https URL")
	}
	return nil
}

// checkJWKS parses a client's JWK Set and refuses an empty set, private keys and symmetric
// keys: the server must only ever hold a client's public keys. It returns the set as
// received, compacted.
func checkJWKS(raw json.RawMessage) (json.RawMessage, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, errors.New("not a JWK Set")
	}
	if len(set.Keys) == 0 {
		return nil, errors.New("no keys")
	}
	for i := range set.Keys {
		k := &set.Keys[i]
		if !k.IsPublic() {
			return nil, fmt.Errorf("keys[%d]: must be a public key (a private or symmetric key must never be sent)", i)
		}
		if !k.Valid() {
			return nil, fmt.Errorf("keys[%d]: invalid key", i)
		}
	}
	var compact map[string]json.RawMessage
	if err := json.Unmarshal(raw, &compact); err != nil {
		return nil, errors.New("not a JSON object")
	}
	out, err := json.Marshal(compact)
	if err != nil {
		return nil, errors.New("not a JSON object")
	}
	return out, nil
}

// validScopeToken reports whether s is a scope-token of RFC 6749 §3.3:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

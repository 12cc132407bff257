package fositeadapter

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/authz"
	"github.com/oauthkit/oauthkit/provider"
)

// Client is a provider.Client seen as a fosite client. It implements fosite.Client and
// fosite.OpenIDConnectClient, the latter because fosite reads the token endpoint
// authentication method and the client's keys (private_key_jwt) through it.
type Client struct {
	c   *provider.Client
	now time.Time

	jwksOnce sync.Once
	jwks     *jose.JSONWebKeySet
}

var (
	_ fosite.Client              = (*Client)(nil)
	_ fosite.OpenIDConnectClient = (*Client)(nil)
)

// NewClient returns c as a fosite client whose secret is judged expired or not at now.
func NewClient(c *provider.Client, now time.Time) *Client { return &Client{c: c, now: now} }

// Provider returns the underlying client. Callers must not change it.
func (c *Client) Provider() *provider.Client { return c.c }

// GetID returns the client_id.
func (c *Client) GetID() string { return c.c.ID }

// GetHashedSecret returns the stored secret hash, or nil once the secret has expired
// (RFC 7591 client_secret_expires_at), so that no secret matches it.
func (c *Client) GetHashedSecret() []byte {
	if !c.c.SecretExpiresAt.IsZero() && !c.now.Before(c.c.SecretExpiresAt) {
		return nil
	}
	return []byte(c.c.SecretHash)
}

// GetRedirectURIs returns the registered redirect URIs.
func (c *Client) GetRedirectURIs() []string { return c.c.RedirectURIs }

// GetGrantTypes returns the allowed grant types; none registered means authorization_code
// (RFC 7591 §2).
func (c *Client) GetGrantTypes() fosite.Arguments {
	if len(c.c.GrantTypes) == 0 {
		return fosite.Arguments{authz.GrantAuthorizationCode}
	}
	return fosite.Arguments(c.c.GrantTypes)
}

// GetResponseTypes returns the allowed response types; none registered means code.
func (c *Client) GetResponseTypes() fosite.Arguments {
	if len(c.c.ResponseTypes) == 0 {
		return fosite.Arguments{"code"}
	}
	return fosite.Arguments(c.c.ResponseTypes)
}

// GetScopes returns the scopes the client may request.
func (c *Client) GetScopes() fosite.Arguments { return fosite.Arguments(c.c.Scopes) }

// IsPublic reports whether the client has no credentials (token_endpoint_auth_method none).
func (c *Client) IsPublic() bool { return c.c.Public() }

// GetAudience returns the audiences the client may request tokens for.
func (c *Client) GetAudience() fosite.Arguments { return fosite.Arguments(c.c.Audience) }

// GetRequestURIs returns nil: request objects are not supported.
func (c *Client) GetRequestURIs() []string { return nil }

// GetJSONWebKeys returns the client's inline JWKS, or nil if it has none or it does not parse.
func (c *Client) GetJSONWebKeys() *jose.JSONWebKeySet {
	c.jwksOnce.Do(func() {
		if len(c.c.JWKS) == 0 {
			return
		}
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(c.c.JWKS, &set); err == nil {
			c.jwks = &set
		}
	})
	return c.jwks
}

// GetJSONWebKeysURI returns the client's jwks_uri.
func (c *Client) GetJSONWebKeysURI() string { return c.c.JWKSURI }

// GetRequestObjectSigningAlgorithm returns "": request objects are not supported.
func (c *Client) GetRequestObjectSigningAlgorithm() string { return "" }

// GetTokenEndpointAuthMethod returns the registered method, client_secret_basic by default
// (RFC 7591 §2).
func (c *Client) GetTokenEndpointAuthMethod() string {
	if c.c.TokenEndpointAuthMethod == "" {
		return provider.AuthClientSecretBasic
	}
	return c.c.TokenEndpointAuthMethod
}

// GetTokenEndpointAuthSigningAlgorithm returns the algorithm the client signs its
// private_key_jwt assertions with: the registered token_endpoint_auth_signing_alg metadata,
// else the alg of the client's first signing key, else RS256.
func (c *Client) GetTokenEndpointAuthSigningAlgorithm() string {
	if len(c.c.Metadata) > 0 {
		var m struct {
			Alg string `json:"token_endpoint_auth_signing_alg"`
		}
		if json.Unmarshal(c.c.Metadata, &m) == nil && m.Alg != "" {
			return m.Alg
		}
	}
	if set := c.GetJSONWebKeys(); set != nil {
		for _, k := range set.Keys {
			if k.Algorithm != "" && (k.Use == "" || k.Use == "sig") {
				return k.Algorithm
			}
		}
	}
	return "RS256"
}

// refClient is the client of a requester restored from a record: it carries the ID only,
// which is all fosite reads from a stored request's client. Token endpoint checks use the
// client that authenticated, which is a full Client.
type refClient struct{ id string }

func (c refClient) GetID() string                      { return c.id }
func (c refClient) GetHashedSecret() []byte            { return nil }
func (c refClient) GetRedirectURIs() []string          { return nil }
func (c refClient) GetGrantTypes() fosite.Arguments    { return nil }
func (c refClient) GetResponseTypes() fosite.Arguments { return nil }
func (c refClient) GetScopes() fosite.Arguments        { return nil }
func (c refClient) IsPublic() bool                     { return false }
func (c refClient) GetAudience() fosite.Arguments      { return nil }

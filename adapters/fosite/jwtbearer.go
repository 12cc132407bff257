package fositeadapter

import (
	"context"
	"errors"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/authz"
	"github.com/oauthkit/oauthkit/provider"
)

// An RFC 7523 assertion is verified when its issuer is a registered client allowed the
// jwt-bearer grant and it is signed by one of that client's keys (its inline JWKS or its
// jwks_uri). Which subjects it may assert, and who may present it, is the server's policy,
// decided after verification by the caller (compose.Config.JWTBearerPolicy); nothing in the
// client's own metadata is read as policy.

// trustedClient returns the client whose keys verify assertions issued by issuer.
func (a *adapter) trustedClient(ctx context.Context, issuer string) (*Client, error) {
	fc, err := a.GetClient(ctx, issuer)
	if err != nil {
		return nil, err
	}
	c := fc.(*Client)
	if !c.GetGrantTypes().Has(authz.GrantJWTBearer) {
		return nil, fosite.ErrNotFound.WithHint("The issuer may not use the jwt-bearer grant.")
	}
	return c, nil
}

// clientKeys returns the client's public signing keys: its inline JWKS, or the set at its
// jwks_uri through cfg.JWKSFetcherStrategy (a JWKSFetcher, see New), refreshed when refresh
// is set (an unknown kid; the fetcher bounds how often).
func (a *adapter) clientKeys(ctx context.Context, c *Client, refresh bool) (*jose.JSONWebKeySet, error) {
	if set := c.GetJSONWebKeys(); set != nil {
		return publicSet(set), nil
	}
	if uri := c.GetJSONWebKeysURI(); uri != "" {
		set, err := a.cfg.GetJWKSFetcherStrategy(ctx).Resolve(ctx, uri, refresh)
		if err != nil {
			return nil, err
		}
		return publicSet(set), nil
	}
	return nil, fosite.ErrNotFound.WithHint("The issuer has no keys registered.")
}

func publicSet(set *jose.JSONWebKeySet) *jose.JSONWebKeySet {
	out := &jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(set.Keys))}
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if pub := k.Public(); pub.Valid() {
			out.Keys = append(out.Keys, pub)
		}
	}
	return out
}

// GetPublicKey returns the issuer's signing key with the given kid.
func (a *adapter) GetPublicKey(ctx context.Context, issuer, subject, keyID string) (*jose.JSONWebKey, error) {
	c, err := a.trustedClient(ctx, issuer)
	if err != nil {
		return nil, err
	}
	set, err := a.clientKeys(ctx, c, false)
	if err != nil {
		return nil, err
	}
	if keys := set.Key(keyID); len(keys) > 0 {
		return &keys[0], nil
	}
	if c.GetJSONWebKeysURI() != "" {
		if set, err = a.clientKeys(ctx, c, true); err != nil {
			return nil, err
		}
		if keys := set.Key(keyID); len(keys) > 0 {
			return &keys[0], nil
		}
	}
	return nil, fosite.ErrNotFound.WithHint("No key with this kid is registered for the issuer.")
}

// GetPublicKeys returns the issuer's signing keys.
func (a *adapter) GetPublicKeys(ctx context.Context, issuer, subject string) (*jose.JSONWebKeySet, error) {
	c, err := a.trustedClient(ctx, issuer)
	if err != nil {
		return nil, err
	}
	return a.clientKeys(ctx, c, false)
}

// GetPublicKeyScopes returns the scopes an assertion of the issuer may be granted: the
// client's registered scopes.
func (a *adapter) GetPublicKeyScopes(ctx context.Context, issuer, subject, _ string) ([]string, error) {
	c, err := a.trustedClient(ctx, issuer)
	if err != nil {
		return nil, err
	}
	return c.c.Scopes, nil
}

// IsJWTUsed reports whether an assertion with this jti was already used.
func (a *adapter) IsJWTUsed(ctx context.Context, jti string) (bool, error) {
	used, err := a.store.Denied(ctx, "jb:"+hashID(jti))
	return used, a.storeErr(err)
}

// MarkJWTUsedForTime records an assertion's jti until exp (RFC 7523 §3 item 7). Of
// concurrent calls for one jti exactly one succeeds; the others get fosite.ErrJTIKnown.
func (a *adapter) MarkJWTUsedForTime(ctx context.Context, jti string, exp time.Time) error {
	err := a.store.Deny(ctx, "jb:"+hashID(jti), exp)
	if errors.Is(err, provider.ErrConflict) {
		return fosite.ErrJTIKnown
	}
	return a.storeErr(err)
}

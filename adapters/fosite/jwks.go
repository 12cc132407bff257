package fositeadapter

import (
	"context"
	"encoding/json"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"

	"github.com/oauthkit/oauthkit/adapters/jwksfetch"
)

// JWKSFetcher is fosite's JWKSFetcherStrategy over a jwksfetch.Fetcher: it is how fosite's
// private_key_jwt client authentication, and the Adapter's RFC 7523 key lookup, fetch a
// client's jwks_uri, in place of fosite's default fetcher (no timeout, no size limit,
// redirects followed, retries). It is safe for concurrent use.
type JWKSFetcher struct {
	f *jwksfetch.Fetcher
}

var _ fosite.JWKSFetcherStrategy = (*JWKSFetcher)(nil)

// NewJWKSFetcher returns a JWKSFetcher over f.
func NewJWKSFetcher(f *jwksfetch.Fetcher) *JWKSFetcher { return &JWKSFetcher{f: f} }

// Resolve returns the public keys at location. ignoreCache asks for a refresh, which the
// Fetcher makes at most once per cooldown per URI. Every failure is invalid_client with the
// same generic hint: what the remote answered (status, body), and whether it could be
// reached, never reaches the client; the cause is wrapped for the server's log.
func (j *JWKSFetcher) Resolve(ctx context.Context, location string, ignoreCache bool) (*jose.JSONWebKeySet, error) {
	set, err := j.f.Get(ctx, location, ignoreCache)
	if err != nil {
		return nil, fosite.ErrInvalidClient.WithHint("The client's JSON Web Key Set could not be obtained from its jwks_uri.").WithWrap(err)
	}
	// The Fetcher holds go-jose v4 keys; fosite speaks v3. The public keys go through their
	// JSON form, which carries no private member.
	raw, err := json.Marshal(set)
	if err != nil {
		return nil, fosite.ErrInvalidClient.WithHint("The client's JSON Web Key Set could not be obtained from its jwks_uri.").WithWrap(err)
	}
	var out jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fosite.ErrInvalidClient.WithHint("The client's JSON Web Key Set could not be obtained from its jwks_uri.").WithWrap(err)
	}
	return publicSet(&out), nil
}

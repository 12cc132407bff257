package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/adapters/metadata"
	"github.com/oauthkit/oauthkit/validation"
)

// Metadata is an authorization server's metadata (RFC 8414 §2, or an OpenID Connect
// discovery document): the one type of adapters/metadata, which the server side publishes.
// A resource server uses its Issuer, JWKSURI and IntrospectionEndpoint.
type Metadata = metadata.Metadata

// ParseMetadata reads an authorization server metadata document and checks it for issuer:
// it must be a JSON object whose issuer equals issuer exactly (RFC 8414 §3.3, which keeps one
// server from impersonating another) and whose jwks_uri is an absolute http or https URL
// (https whenever the issuer is https). introspection_endpoint, when present, is checked the
// same way.
func ParseMetadata(data []byte, issuer string) (*Metadata, error) {
	var md Metadata
	if err := jsonUnmarshal(data, &md); err != nil {
		return nil, fmt.Errorf("local: metadata: %w", err)
	}
	if md.Issuer != issuer {
		return nil, errors.New("local: metadata: issuer does not match the configured issuer")
	}
	secure := strings.HasPrefix(issuer, "https:")
	for name, u := range map[string]string{"jwks_uri": md.JWKSURI, "introspection_endpoint": md.IntrospectionEndpoint} {
		if u == "" && name != "jwks_uri" {
			continue
		}
		if err := checkURL(u, true); err != nil {
			return nil, fmt.Errorf("local: metadata: %s: %w", name, err)
		}
		if secure && !strings.HasPrefix(u, "https:") {
			return nil, fmt.Errorf("local: metadata: %s is not https for an https issuer", name)
		}
	}
	return &md, nil
}

// MetadataURLs returns where issuer's metadata may be found, in the order FetchMetadata
// tries them: the RFC 8414 §3.1 well-known URI (inserted between host and path), then the
// OpenID Connect discovery URI (appended to the issuer).
func MetadataURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("local: issuer: %w", err)
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	rfc := *u
	rfc.RawPath = ""
	rfc.Path = "/.well-known/oauth-authorization-server" + path
	oidc := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	return []string{rfc.String(), oidc}, nil
}

// FetchMetadata discovers issuer's metadata (see MetadataURLs and ParseMetadata) with client,
// which should not follow redirects, reading at most limit bytes. A server that cannot be
// reached or answers with an error is reported as validation.ErrUnavailable.
func FetchMetadata(ctx context.Context, client *http.Client, issuer string, limit int64) (*Metadata, error) {
	if err := checkURL(issuer, false); err != nil {
		return nil, fmt.Errorf("local: issuer: %w", err)
	}
	if client == nil {
		client = noRedirects(nil)
	}
	if limit <= 0 {
		limit = 1 << 20
	}
	urls, err := MetadataURLs(issuer)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, u := range urls {
		body, _, err := get(ctx, client, u, limit)
		if err != nil {
			errs = append(errs, err)
			var st errStatus
			if errors.As(err, &st) && (st == http.StatusNotFound || st == http.StatusMethodNotAllowed || st == http.StatusGone) {
				continue // not served here: try the next well-known URI
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		md, err := ParseMetadata(body, issuer)
		if err != nil {
			return nil, err
		}
		return md, nil
	}
	return nil, fmt.Errorf("local: discovery: %w: %w", validation.ErrUnavailable, errors.Join(errs...))
}

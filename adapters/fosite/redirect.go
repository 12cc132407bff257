package fositeadapter

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/oauthkit/oauthkit/internal/loopback"
)

// Application types a client registers (OpenID Connect Dynamic Client Registration 1.0 §2,
// application_type); web is the default.
const (
	ApplicationTypeWeb    = "web"
	ApplicationTypeNative = "native"
)

// ApplicationType returns the client's registered application_type: ApplicationTypeNative
// when its metadata says "native", ApplicationTypeWeb otherwise (the default, and the strict
// one).
func (c *Client) ApplicationType() string {
	if len(c.c.Metadata) > 0 {
		var m struct {
			Type string `json:"application_type"`
		}
		if json.Unmarshal(c.c.Metadata, &m) == nil && m.Type == ApplicationTypeNative {
			return ApplicationTypeNative
		}
	}
	return ApplicationTypeWeb
}

// MatchRedirectURI reports whether raw, the redirect_uri of an authorization request, is one
// of the client's registered redirect URIs. It is fosite's matching made strict:
//
//   - a web client's redirect URI must equal a registered one as a string (RFC 9700 §4.1.3):
//     no other port, case, trailing slash or query;
//   - a native client (application_type native) may in addition use any port, but not port
//     0, on a registered http URI whose host is a loopback IP literal (RFC 8252 §7.3), with
//     the same scheme, host, path and query;
//   - a URI with user information ("http://evil.example@127.0.0.1/") never matches.
//
// An empty raw does not match; fosite then uses the client's one registered URI, if it has
// exactly one.
func (c *Client) MatchRedirectURI(raw string) bool {
	if raw == "" {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil {
		return false
	}
	for _, reg := range c.c.RedirectURIs {
		if raw == reg {
			return true
		}
	}
	if c.ApplicationType() != ApplicationTypeNative {
		return false
	}
	if !strings.HasPrefix(raw, "http://") || strings.Contains(raw, "#") || u.Opaque != "" {
		return false
	}
	if p := u.Port(); strings.HasSuffix(u.Host, ":") || (p != "" && !validPort(p)) {
		return false
	}
	for _, reg := range c.c.RedirectURIs {
		r, err := url.Parse(reg)
		if err != nil || r.Scheme != "http" || r.User != nil || r.Fragment != "" {
			continue
		}
		if !loopback.IP(r.Hostname()) {
			continue
		}
		if u.Hostname() == r.Hostname() && u.EscapedPath() == r.EscapedPath() &&
			u.RawQuery == r.RawQuery && u.ForceQuery == r.ForceQuery {
			return true
		}
	}
	return false
}

// validPort reports whether p is a port a native app can listen on: 1 to 65535 in decimal,
// without leading zeros.
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == p
}

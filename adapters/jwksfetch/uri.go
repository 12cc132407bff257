package jwksfetch

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/oauthkit/oauthkit/internal/loopback"
)

// ValidateURI checks a jwks_uri by the default Options' rules; see Options.ValidateURI.
func ValidateURI(uri string) error { return Options{}.ValidateURI(uri) }

// ValidateURI checks the static rules a Fetcher with these options applies to a jwks_uri
// before any request: an absolute https URL (http only on a loopback host, with
// AllowLoopbackHTTP) of printable ASCII, with a host, without user information or
// fragment, whose host is not an IP literal the address policy refuses, nor "localhost"
// (or a name under .localhost) unless loopback is allowed. It returns ErrInvalidURI or
// ErrForbiddenAddress. A host name passing here may still resolve to a refused address: the
// Fetcher checks every resolved address again when it connects.
func (o Options) ValidateURI(uri string) error {
	if len(uri) > 2048 || !printableASCII(uri) || strings.Contains(uri, "#") {
		return ErrInvalidURI
	}
	u, err := url.Parse(uri)
	if err != nil || u.Opaque != "" || u.User != nil || u.Host == "" || u.Fragment != "" {
		return ErrInvalidURI
	}
	host := normalHost(u.Hostname())
	if host == "" || strings.ContainsAny(host, "%") {
		return ErrInvalidURI // an IPv6 zone names a local interface
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return ErrInvalidURI
	}
	addr, literal := literalAddr(host)
	loopbackName := !literal && loopback.Host(host)
	switch u.Scheme {
	case "https":
	case "http":
		if !o.AllowLoopbackHTTP || !loopback.Host(host) {
			return ErrInvalidURI
		}
	default:
		return ErrInvalidURI
	}
	switch {
	case literal && !o.allowed(addr):
		return ErrForbiddenAddress
	case loopbackName && !o.allowed(netip.IPv6Loopback()) && !o.allowed(netip.AddrFrom4([4]byte{127, 0, 0, 1})):
		return ErrForbiddenAddress
	}
	return nil
}

// normalHost returns a host name lower-cased and without a trailing dot.
func normalHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// literalAddr parses host as an IP address literal. Other numeric forms ("127.1",
// "2130706433", "0x7f000001") are names here; whatever a resolver makes of them is checked
// when the Fetcher connects.
func literalAddr(host string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(host)
	return addr, err == nil
}

func validPort(p string) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n > 0 && n < 65536
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

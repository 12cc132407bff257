// Package loopback is oauthkit's one rule for recognising a loopback host: the issuer and
// endpoint checks of compose, adapters/metadata and adapters/registration, the redirect URI
// matcher of adapters/fosite and the jwks_uri checks of adapters/jwksfetch all use it.
//
// The rule follows RFC 8252: a native app's loopback redirect uses an IP literal (§7.3), and
// "localhost" is not recommended there because a name may resolve elsewhere (§8.3), so IP
// recognises literals only. Host also accepts the name localhost and names under it, which
// RFC 6761 §6.3 reserves for loopback, for the places (an http issuer in development, an
// address the jwks fetcher must refuse) where a name is acceptable.
//
//	loopback.IP("127.0.0.1")   // true
//	loopback.IP("localhost")   // false
//	loopback.Host("localhost") // true
package loopback

import (
	"net/netip"
	"strings"
)

// IP reports whether host (a URL's Hostname, without brackets or port) is a loopback IP
// literal: an address in 127.0.0.0/8, ::1, or an IPv4-mapped IPv6 form of one. A zone
// ("::1%lo0") names a local interface and is refused; "127.1" and other numeric forms that
// are not literals are names, not IPs.
func IP(host string) bool {
	addr, err := netip.ParseAddr(host)
	if err != nil || addr.Zone() != "" {
		return false
	}
	return addr.Unmap().IsLoopback()
}

// Host reports whether host (a URL's Hostname) is a loopback IP literal (IP) or the name
// localhost or a name under it ("dev.localhost"), compared case-insensitively and without a
// trailing dot (RFC 6761 §6.3).
func Host(host string) bool {
	if IP(host) {
		return true
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	return name == "localhost" || strings.HasSuffix(name, ".localhost")
}

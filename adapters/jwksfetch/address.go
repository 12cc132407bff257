package jwksfetch

import "net/netip"

// forbiddenPrefixes are the ranges DefaultAllowAddress refuses beyond what netip.Addr's
// predicates name: shared, reserved, benchmarking and documentation space that is not
// global (RFC 6890), where a cloud or carrier may put internal services (100.100.100.200
// is Alibaba Cloud's metadata service, in 100.64.0.0/10).
var forbiddenPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the limited broadcast address
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only (RFC 6666)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation (RFC 3849)
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, Teredo included
}

// Prefixes that embed an IPv4 address, which is checked in its place.
var (
	nat64 = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052 well-known prefix
	sixTo = netip.MustParsePrefix("2002::/16")    // 6to4 (RFC 3056)
)

// DefaultAllowAddress reports whether addr is a global unicast address a Fetcher may connect
// to. It refuses loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7 — which holds
// AWS's fd00:ec2::254), link-local (169.254/16 with the 169.254.169.254 metadata service,
// fe80::/10), unspecified (0.0.0.0, ::), multicast and broadcast addresses, the special
// ranges of RFC 6890, and IPv6 forms that embed a refused IPv4 address (IPv4-mapped, NAT64,
// 6to4).
func DefaultAllowAddress(addr netip.Addr) bool {
	addr = addr.Unmap()
	if addr.Is6() && (nat64.Contains(addr) || sixTo.Contains(addr)) {
		b := addr.As16()
		var v4 [4]byte
		if nat64.Contains(addr) {
			copy(v4[:], b[12:16])
		} else {
			copy(v4[:], b[2:6])
		}
		return DefaultAllowAddress(netip.AddrFrom4(v4))
	}
	if !addr.IsValid() || !addr.IsGlobalUnicast() || addr.IsPrivate() {
		// IsGlobalUnicast is false for loopback, link-local, multicast, unspecified and
		// the broadcast address.
		return false
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

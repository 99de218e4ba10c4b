package bot

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/realclientip/realclientip-go"
)

// ParseProxies parses PLANBOT_TRUSTED_PROXIES: comma-separated CIDRs
// ("10.0.0.0/8, 2001:db8::/32") or single addresses, the reverse proxies
// whose X-Forwarded-For and Forwarded headers are believed; IPv4-mapped
// ones (::ffff:10.0.0.0/104) are taken as the IPv4 ones they name. An
// empty string trusts no proxy.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("PLANBOT_TRUSTED_PROXIES: %q is neither a CIDR (10.0.0.0/8, 2001:db8::/32) nor an address", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		// Peers are compared unmapped: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// clients tells which client a request comes from, for rate limits and
// votes. The peer is the client unless it is a trusted proxy: then the
// client is the rightmost address of X-Forwarded-For (or of Forwarded,
// RFC 7239) that is not a trusted proxy, since every address to its left
// was written by someone we do not trust and may be forged. From any other
// peer both headers are ignored.
type clients struct {
	trusted  []netip.Prefix
	xff, fwd realclientip.RightmostTrustedRangeStrategy
}

func newClients(trusted []netip.Prefix) *clients {
	nets := make([]net.IPNet, len(trusted))
	for i, p := range trusted {
		nets[i] = net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
	}
	// The header names are valid: these cannot fail.
	xff, _ := realclientip.NewRightmostTrustedRangeStrategy("X-Forwarded-For", nets)
	fwd, _ := realclientip.NewRightmostTrustedRangeStrategy("Forwarded", nets)
	return &clients{trusted: trusted, xff: xff, fwd: fwd}
}

// addr is the client's address; ok is false when not even the peer's
// address can be read (a listener that is not TCP).
func (c *clients) addr(r *http.Request) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	peer := ap.Addr().Unmap().WithZone("")
	if !c.isTrusted(peer) {
		return peer, true
	}
	// A proxy that sets one header passes the other on as the client sent
	// it; when both name a client they must agree, else neither is believed.
	x, xok := parseClient(c.xff.ClientIP(r.Header, ""))
	f, fok := parseClient(c.fwd.ClientIP(r.Header, ""))
	switch {
	case xok && fok && x != f:
		return peer, true
	case xok:
		return x, true
	case fok:
		return f, true
	}
	return peer, true
}

func (c *clients) isTrusted(a netip.Addr) bool {
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func parseClient(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// key is the name of the request's client in rate limits and votes: the
// IPv4 address, or the /64 an IPv6 address belongs to (one subscriber
// gets a whole /64 and may use any address in it).
func (c *clients) key(r *http.Request) string {
	a, ok := c.addr(r)
	if !ok {
		return r.RemoteAddr
	}
	return clientKey(a)
}

func clientKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

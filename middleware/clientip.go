package middleware

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// Proxies says which peers are trusted to report the client's address in
// a forwarding header, and in which header. IPFilter, RateLimit and
// AccessLog use it to find the client behind reverse proxies.
//
// The header is read from right to left, as each proxy appends the
// address it received the request from: the client is the right-most
// address that is not a trusted proxy. A request from a peer that is not
// trusted is taken at its word's worth: its forwarding headers are
// ignored, so a client cannot forge its address by sending
// X-Forwarded-For itself. When every address of the header is trusted
// (or there is no header), the client is the left-most one (the peer
// itself without a header): every hop that reported it is trusted.
//
// A header the trusted peer passed on but that cannot be walked is an
// error, never a reason to take a trusted hop for the client: more than
// MaxForwardedFields fields of the header's name (ErrForwardedTooLong),
// or an entry met before the client that is not an IP address, such as
// garbage, a host name, or an obfuscated or "unknown" node of Forwarded
// (ErrForwardedMalformed). Empty list elements are skipped.
//
// The zero value trusts no one: the client is the connection's peer.
type Proxies struct {
	// Trusted are the addresses of the proxies in front of the server
	// (see ParsePrefixes). If empty, no peer is trusted and forwarding
	// headers are ignored.
	Trusted []netip.Prefix

	// Header is the header the trusted proxies set: "X-Forwarded-For"
	// (a comma-separated list of addresses), "Forwarded" (RFC 7239: the
	// for= parameters of its elements) or a header holding one address,
	// such as "X-Real-IP". Only the header the proxies manage may be
	// named: they pass the others on as the client sent them. If empty,
	// X-Forwarded-For.
	Header string
}

// MaxForwardedFields is the most fields of the forwarding header
// (Proxies.Header) a request may carry; past it, Proxies.ClientIP fails
// with ErrForwardedTooLong. No chain of proxies sends that many: each
// appends to the last field or adds one.
const MaxForwardedFields = 16

// ClientIP returns the address of the client of ctx according to p (see
// Proxies), or ErrForwardedTooLong or ErrForwardedMalformed when the
// forwarding header a trusted peer passed on cannot be walked: the
// client is then unknown, and a caller must not fall back to the peer's
// address (IPFilter denies such a request, RateLimit refuses it). It
// allocates nothing.
func (p *Proxies) ClientIP(ctx *volt.RequestCtx) (netip.Addr, error) {
	return p.clientIP(remoteAddr(ctx), &ctx.Request.Header)
}

// clientIP is ClientIP for a peer at addr that sent h.
func (p *Proxies) clientIP(addr netip.Addr, h *volt.RequestHeader) (netip.Addr, error) {
	if len(p.Trusted) == 0 || !p.trusted(addr) {
		return addr, nil
	}
	name := p.Header
	if name == "" {
		name = "X-Forwarded-For"
	}
	forwarded := strings.EqualFold(name, "Forwarded")
	// The fields of that name, then their addresses, last first.
	var vals [MaxForwardedFields][]byte
	n := 0
	for k, v := range h.All() {
		if bytesconv.EqualFold(k, name) {
			if n == len(vals) {
				return netip.Addr{}, ErrForwardedTooLong
			}
			vals[n] = v
			n++
		}
	}
	for n > 0 {
		n--
		v := vals[n]
		for len(v) > 0 {
			var elem []byte
			if j := bytes.LastIndexByte(v, ','); j >= 0 {
				elem, v = v[j+1:], v[:j]
			} else {
				elem, v = v, nil
			}
			if len(bytes.TrimSpace(elem)) == 0 {
				continue // an empty list element (RFC 9110 section 5.6.1)
			}
			if forwarded {
				elem = forwardedFor(elem)
			}
			ip, ok := parseNodeAddr(elem)
			if !ok {
				return netip.Addr{}, ErrForwardedMalformed
			}
			if !p.trusted(ip) {
				return ip, nil
			}
			addr = ip
		}
	}
	return addr, nil
}

func (p *Proxies) trusted(ip netip.Addr) bool { return inPrefixes(p.Trusted, ip) }

func inPrefixes(ps []netip.Prefix, ip netip.Addr) bool {
	for _, pr := range ps {
		if pr.Contains(ip) {
			return true
		}
	}
	return false
}

// remoteAddr returns the connection peer's address (0.0.0.0 without
// one), IPv4-mapped addresses unmapped.
func remoteAddr(ctx *volt.RequestCtx) netip.Addr {
	a, _ := netip.AddrFromSlice(ctx.RemoteIP())
	return a.Unmap()
}

// forwardedFor returns the value of the for= parameter of one element of
// a Forwarded header (RFC 7239 section 4), quotes removed, or nil.
func forwardedFor(elem []byte) []byte {
	for len(elem) > 0 {
		var pair []byte
		if i := bytes.IndexByte(elem, ';'); i >= 0 {
			pair, elem = elem[:i], elem[i+1:]
		} else {
			pair, elem = elem, nil
		}
		pair = bytes.TrimSpace(pair)
		if len(pair) > 4 && bytesconv.EqualFold(pair[:4], "for=") {
			v := pair[4:]
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v
		}
	}
	return nil
}

// parseNodeAddr parses an address as proxies write it: "192.0.2.1",
// "2001:db8::1", "[2001:db8::1]", with an optional port after an IPv4
// address or a bracketed IPv6 one, surrounded by optional spaces. Zones
// are refused.
func parseNodeAddr(b []byte) (netip.Addr, bool) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		end := bytes.IndexByte(b, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		b = b[1:end]
	} else if i := bytes.IndexByte(b, ':'); i >= 0 && bytes.IndexByte(b[i+1:], ':') < 0 {
		b = b[:i] // IPv4 with a port
	}
	if len(b) == 0 || len(b) > 45 || bytes.IndexByte(b, '%') >= 0 {
		return netip.Addr{}, false
	}
	// ParseAddr keeps no reference to its argument when there is no zone.
	ip, err := netip.ParseAddr(bytesconv.B2S(b))
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// ParsePrefixes parses IP addresses and CIDR prefixes ("10.0.0.0/8",
// "192.0.2.7", "2001:db8::/32"); a bare address is a prefix of its full
// length.
func ParsePrefixes(s ...string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(s))
	for _, v := range s {
		if strings.Contains(v, "/") {
			p, err := netip.ParsePrefix(v)
			if err != nil {
				return nil, fmt.Errorf("%w: %q", ErrBadPrefix, v)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrBadPrefix, v)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// MustParsePrefixes is ParsePrefixes that panics on an error, for
// configuration literals.
func MustParsePrefixes(s ...string) []netip.Prefix {
	p, err := ParsePrefixes(s...)
	if err != nil {
		panic(err)
	}
	return p
}

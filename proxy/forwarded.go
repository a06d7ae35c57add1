package proxy

import (
	"net"
	"net/netip"

	"github.com/volthttp/volt"
)

// The forwarding fields the proxy writes.
const (
	fieldXFF       = "X-Forwarded-For"
	fieldXFProto   = "X-Forwarded-Proto"
	fieldXFHost    = "X-Forwarded-Host"
	fieldForwarded = "Forwarded"
	fieldVia       = "Via"
)

// The same names as byte slices, for the []byte setters.
var (
	keyXFF       = []byte(fieldXFF)
	keyXFHost    = []byte(fieldXFHost)
	keyForwarded = []byte(fieldForwarded)
	keyVia       = []byte(fieldVia)
)

// peerAddr returns the IP address of the client connection, or an invalid
// Addr when it has none (a Unix socket, an in-memory pipe).
func peerAddr(ctx *volt.RequestCtx) netip.Addr {
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(a.IP)
		return ip.Unmap()
	}
	return netip.Addr{}
}

// trusts reports whether the peer at a is one of the trusted proxies.
func (p *Proxy) trusts(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, pr := range p.trusted {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// setForwarded writes X-Forwarded-For, X-Forwarded-Proto,
// X-Forwarded-Host and Forwarded on the upstream request h, from what the
// proxy sees of the client connection. A trusted peer's fields are kept:
// the peer is appended to X-Forwarded-For and Forwarded, and
// X-Forwarded-Proto and X-Forwarded-Host are kept when present. Any other
// peer's are replaced. buf is scratch space; the grown buffer is
// returned.
func (p *Proxy) setForwarded(ctx *volt.RequestCtx, h *volt.RequestHeader, buf []byte) []byte {
	peer := peerAddr(ctx)
	trusted := p.trusts(peer)
	proto := "http"
	if ctx.IsTLS() {
		proto = "https"
	}
	host := ctx.Request.Header.Host()

	buf = buf[:0]
	if trusted {
		buf = joinValues(buf, h, fieldXFF)
	}
	if peer.IsValid() {
		if len(buf) > 0 {
			buf = append(buf, ", "...)
		}
		buf = peer.AppendTo(buf)
	}
	if len(buf) > 0 {
		h.SetBytes(keyXFF, buf)
	} else {
		h.Del(fieldXFF)
	}

	if !trusted || !h.Has(fieldXFProto) {
		h.Set(fieldXFProto, proto)
	}
	if !trusted || !h.Has(fieldXFHost) {
		if len(host) > 0 {
			h.SetBytes(keyXFHost, host)
		} else {
			h.Del(fieldXFHost)
		}
	}

	buf = buf[:0]
	if trusted {
		buf = joinValues(buf, h, fieldForwarded)
	}
	if len(buf) > 0 {
		buf = append(buf, ", "...)
	}
	buf = appendForwardedElement(buf, peer, host, proto)
	h.SetBytes(keyForwarded, buf)
	return buf
}

// joinValues appends the values of every field called key in h, joined
// with ", " (RFC 9110 section 5.3).
func joinValues(dst []byte, h *volt.RequestHeader, key string) []byte {
	if !h.Has(key) {
		return dst
	}
	for v := range h.Values(key) {
		if len(v) == 0 {
			continue
		}
		if len(dst) > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, v...)
	}
	return dst
}

// appendForwardedElement appends one forwarded-element (RFC 7239 section
// 4): for=<peer>;host=<host>;proto=<proto>. An IPv6 node is quoted with
// its brackets, for="[2001:db8::1]" (section 6); a peer without an IP
// address is "unknown" (section 6.3).
func appendForwardedElement(dst []byte, peer netip.Addr, host []byte, proto string) []byte {
	dst = append(dst, "for="...)
	switch {
	case !peer.IsValid():
		dst = append(dst, "unknown"...)
	case peer.Is6():
		dst = append(dst, `"[`...)
		dst = peer.AppendTo(dst)
		dst = append(dst, `]"`...)
	default:
		dst = peer.AppendTo(dst)
	}
	if len(host) > 0 {
		dst = append(dst, ";host="...)
		dst = appendForwardedValue(dst, host)
	}
	dst = append(dst, ";proto="...)
	return append(dst, proto...)
}

// appendForwardedValue appends v as a token when it is one, else as a
// quoted-string (RFC 7239 section 4, RFC 9110 section 5.6.4).
func appendForwardedValue(dst, v []byte) []byte {
	if isToken(v) {
		return append(dst, v...)
	}
	dst = append(dst, '"')
	for _, c := range v {
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// isToken reports whether v is a non-empty token (RFC 9110 section
// 5.6.2).
func isToken(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~':
		default:
			return false
		}
	}
	return true
}

// viaValue returns the Via entry for a message received with h's
// protocol version (RFC 9110 section 7.6.3).
func (p *Proxy) viaValue(h *volt.RequestHeader) []byte {
	switch {
	case h.IsHTTP2():
		return p.via2
	case !h.IsHTTP11():
		return p.via10
	}
	return p.via11
}

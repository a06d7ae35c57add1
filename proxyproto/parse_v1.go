package proxyproto

import (
	"bytes"
	"net/netip"

	"github.com/volthttp/volt/internal/bytesconv"
)

// parseV1 parses a version 1 line at the start of b, which starts with
// "PROXY ".
//
// The line is "PROXY" SP ("TCP4" / "TCP6") SP src SP dst SP sport SP
// dport CRLF, or "PROXY UNKNOWN" followed by anything up to CRLF, at most
// 107 bytes in all. Addresses are in canonical form (IPv4 without leading
// zeros, IPv6 in hexadecimal groups), ports decimal without leading zeros.
func parseV1(b []byte) (Header, int, error) {
	lim := min(len(b), maxV1Len)
	end := bytes.Index(b[:lim], []byte("\r\n"))
	if end < 0 {
		if i := bytes.IndexAny(b[:lim], "\r\n"); i >= 0 && !(b[i] == '\r' && i == lim-1) {
			return Header{}, 0, v1Error(i, "CR or LF outside CRLF")
		}
		if len(b) >= maxV1Len {
			return Header{}, 0, ErrHeaderTooLong
		}
		return Header{}, 0, ErrTruncated
	}
	n := end + 2
	line := b[len(v1Sig):end]
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		return Header{}, 0, v1Error(len(v1Sig)+i, "CR or LF outside CRLF")
	}
	h := Header{Version: 1, Command: Proxy}
	proto, rest, _ := bytes.Cut(line, []byte(" "))
	switch string(proto) {
	case "UNKNOWN":
		// The rest of the line is ignored.
		h.Protocol = Unspec
		return h, n, nil
	case "TCP4":
		h.Protocol = TCP4
	case "TCP6":
		h.Protocol = TCP6
	default:
		return Header{}, 0, v1Error(len(v1Sig), "unknown protocol")
	}
	off := len(v1Sig) + len(proto) + 1
	var f [4][]byte
	for i := range f {
		var ok bool
		f[i], rest, ok = bytes.Cut(rest, []byte(" "))
		if ok != (i < 3) {
			return Header{}, 0, v1Error(off, "want four fields separated by single spaces")
		}
	}
	src, ok := parseV1Addr(f[0], h.Protocol)
	if !ok {
		return Header{}, 0, v1Error(off, "bad source address")
	}
	off += len(f[0]) + 1
	dst, ok := parseV1Addr(f[1], h.Protocol)
	if !ok {
		return Header{}, 0, v1Error(off, "bad destination address")
	}
	off += len(f[1]) + 1
	sport, ok := parseV1Port(f[2])
	if !ok {
		return Header{}, 0, v1Error(off, "bad source port")
	}
	off += len(f[2]) + 1
	dport, ok := parseV1Port(f[3])
	if !ok {
		return Header{}, 0, v1Error(off, "bad destination port")
	}
	h.Source = netip.AddrPortFrom(src, sport)
	h.Destination = netip.AddrPortFrom(dst, dport)
	return h, n, nil
}

// parseV1Addr parses an address of protocol p in canonical text form.
func parseV1Addr(b []byte, p Protocol) (netip.Addr, bool) {
	for _, c := range b {
		// Digits and dots for IPv4; hexadecimal digits and colons for
		// IPv6 (no zone, no embedded dotted quad).
		switch {
		case '0' <= c && c <= '9':
		case c == '.' && p == TCP4:
		case c == ':' && p == TCP6:
		case ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F') && p == TCP6:
		default:
			return netip.Addr{}, false
		}
	}
	// ParseAddr keeps no reference to its argument (a zone would be
	// interned, but zones are refused above).
	a, err := netip.ParseAddr(bytesconv.B2S(b))
	if err != nil || (p == TCP4) != a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}

// parseV1Port parses a decimal port without leading zeros.
func parseV1Port(b []byte) (uint16, bool) {
	if len(b) == 0 || len(b) > 5 || len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 0xffff {
		return 0, false
	}
	return uint16(n), true
}

func v1Error(off int, reason string) error {
	return &ParseError{Version: 1, Offset: off, Reason: reason}
}

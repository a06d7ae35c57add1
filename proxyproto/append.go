package proxyproto

import (
	"encoding/binary"
	"hash/crc32"
	"net/netip"
	"strconv"
	"strings"
)

// Append appends the wire form of h to dst: the version 1 line or the
// version 2 binary header. A TLVCRC32C field in h.TLVs gets the header's
// checksum, whatever its Value was.
//
// It fails with ErrCannotEncode for a header without a wire form: a
// version other than 1 or 2; in version 1 a Local command, TLVs, or a
// protocol other than TCP4, TCP6 and Unspec; addresses that do not match
// the protocol (or carry an IPv6 zone); a Unix path longer than 108
// bytes; a TLV value over 65535 bytes; a TLV value that ParseHeader would reject; two CRC32C fields; a
// Unix path with a NUL; a version 2 header over MaxV2Len.
func (h *Header) Append(dst []byte) ([]byte, error) {
	switch h.Version {
	case 1:
		return h.appendV1(dst)
	case 2:
		return h.appendV2(dst)
	}
	return dst, ErrCannotEncode
}

func (h *Header) appendV1(dst []byte) ([]byte, error) {
	if h.Command != Proxy || len(h.TLVs) > 0 {
		return dst, ErrCannotEncode
	}
	var proto string
	switch h.Protocol {
	case Unspec:
		return append(dst, "PROXY UNKNOWN\r\n"...), nil
	case TCP4:
		proto = "TCP4"
	case TCP6:
		proto = "TCP6"
	default:
		return dst, ErrCannotEncode
	}
	if !h.ipsMatch() {
		return dst, ErrCannotEncode
	}
	dst = append(dst, v1Sig...)
	dst = append(dst, proto...)
	dst = append(dst, ' ')
	dst = appendV1Addr(dst, h.Source.Addr())
	dst = append(dst, ' ')
	dst = appendV1Addr(dst, h.Destination.Addr())
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(h.Source.Port()), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, uint64(h.Destination.Port()), 10)
	return append(dst, "\r\n"...), nil
}

// appendV1Addr writes a in the form version 1 requires: an IPv4-mapped
// IPv6 address is written in hexadecimal groups, not with a dotted quad.
func appendV1Addr(dst []byte, a netip.Addr) []byte {
	if a.Is4In6() {
		return append(dst, a.StringExpanded()...)
	}
	return a.AppendTo(dst)
}

// ipsMatch reports whether Source and Destination are addresses of
// h.Protocol's IP family, without zones.
func (h *Header) ipsMatch() bool {
	s, d := h.Source.Addr(), h.Destination.Addr()
	switch h.Protocol.family() {
	case 1:
		return s.Is4() && d.Is4()
	case 2:
		return s.Is6() && d.Is6() && s.Zone() == "" && d.Zone() == ""
	}
	return false
}

func (h *Header) appendV2(dst []byte) ([]byte, error) {
	if h.Command != Local && h.Command != Proxy {
		return dst, ErrCannotEncode
	}
	p := h.Protocol
	switch p {
	case Unspec, UnixStream, UnixDatagram:
	case TCP4, UDP4, TCP6, UDP6:
		if !h.ipsMatch() {
			return dst, ErrCannotEncode
		}
	default:
		return dst, ErrCannotEncode
	}
	if len(h.SourceUnix) > unixAddrLen || len(h.DestinationUnix) > unixAddrLen {
		return dst, ErrCannotEncode
	}
	if strings.IndexByte(h.SourceUnix, 0) >= 0 || strings.IndexByte(h.DestinationUnix, 0) >= 0 {
		return dst, ErrCannotEncode
	}
	n := p.addrLen()
	crcs := 0
	for _, t := range h.TLVs {
		vlen := len(t.Value)
		if t.Type == TLVCRC32C {
			vlen = 4
			crcs++
		} else if checkTLV(t.Type, t.Value) != "" {
			return dst, ErrCannotEncode
		}
		// n <= 0xffff here, so this cannot overflow.
		if vlen > 0xffff || n+3+vlen > 0xffff {
			return dst, ErrCannotEncode
		}
		n += 3 + vlen
	}
	if crcs > 1 {
		return dst, ErrCannotEncode
	}
	start := len(dst)
	dst = append(dst, v2Sig...)
	dst = append(dst, 0x20|byte(h.Command), byte(p))
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	switch p.family() {
	case 1:
		s, d := h.Source.Addr().As4(), h.Destination.Addr().As4()
		dst = append(dst, s[:]...)
		dst = append(dst, d[:]...)
		dst = binary.BigEndian.AppendUint16(dst, h.Source.Port())
		dst = binary.BigEndian.AppendUint16(dst, h.Destination.Port())
	case 2:
		s, d := h.Source.Addr().As16(), h.Destination.Addr().As16()
		dst = append(dst, s[:]...)
		dst = append(dst, d[:]...)
		dst = binary.BigEndian.AppendUint16(dst, h.Source.Port())
		dst = binary.BigEndian.AppendUint16(dst, h.Destination.Port())
	case 3:
		dst = appendPadded(dst, h.SourceUnix)
		dst = appendPadded(dst, h.DestinationUnix)
	}
	crcAt := -1
	for _, t := range h.TLVs {
		dst = append(dst, byte(t.Type))
		if t.Type == TLVCRC32C {
			dst = append(dst, 0, 4)
			crcAt = len(dst)
			dst = append(dst, 0, 0, 0, 0)
			continue
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(t.Value)))
		dst = append(dst, t.Value...)
	}
	if crcAt >= 0 {
		binary.BigEndian.PutUint32(dst[crcAt:], crc32.Checksum(dst[start:], castagnoli))
	}
	return dst, nil
}

// appendPadded appends s padded with NULs to a Unix address's 108 bytes.
func appendPadded(dst []byte, s string) []byte {
	dst = append(dst, s...)
	for range unixAddrLen - len(s) {
		dst = append(dst, 0)
	}
	return dst
}

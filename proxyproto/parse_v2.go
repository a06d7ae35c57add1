package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net/netip"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errTLVShort = errors.New("TLV overruns the header")

// parseV2 parses a version 2 header at the start of b, which starts with
// the 12-byte signature.
//
// Layout: signature (12), version<<4|command (1), family<<4|transport (1),
// length of the rest (2, big endian), then the address block of the
// family (12 bytes for IPv4, 36 for IPv6, 216 for Unix, none for
// unspecified) and TLVs filling the rest.
func parseV2(b []byte) (Header, int, error) {
	if len(b) < v2HeadLen {
		return Header{}, 0, ErrTruncated
	}
	if b[12]>>4 != 2 {
		return Header{}, 0, v2Error(12, "version is not 2")
	}
	cmd := Command(b[12] & 0x0f)
	if cmd != Local && cmd != Proxy {
		return Header{}, 0, v2Error(12, "unknown command")
	}
	p := Protocol(b[13])
	if p.family() > 3 || p.transport() > 2 {
		return Header{}, 0, v2Error(13, "unknown address family or transport")
	}
	if p.family() == 0 || p.transport() == 0 {
		// Unspecified family or transport: no address is used.
		p = Unspec
	}
	n := v2HeadLen + int(binary.BigEndian.Uint16(b[14:16]))
	if len(b) < n {
		return Header{}, 0, ErrTruncated
	}
	body := b[v2HeadLen:n]
	h := Header{Version: 2, Command: cmd, Protocol: p}
	al := p.addrLen()
	if len(body) < al {
		return Header{}, 0, v2Error(14, "address block shorter than the family's addresses")
	}
	switch p.family() {
	case 1:
		h.Source = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[0:4])), binary.BigEndian.Uint16(body[8:10]))
		h.Destination = netip.AddrPortFrom(netip.AddrFrom4([4]byte(body[4:8])), binary.BigEndian.Uint16(body[10:12]))
	case 2:
		h.Source = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[0:16])), binary.BigEndian.Uint16(body[32:34]))
		h.Destination = netip.AddrPortFrom(netip.AddrFrom16([16]byte(body[16:32])), binary.BigEndian.Uint16(body[34:36]))
	case 3:
		h.SourceUnix = unixPath(body[:unixAddrLen])
		h.DestinationUnix = unixPath(body[unixAddrLen : 2*unixAddrLen])
	}
	count := 0
	if walkTLVs(body[al:], func(TLVType, []byte) error { count++; return nil }) == nil && count > 0 {
		h.TLVs = make([]TLV, 0, count)
	}
	crcAt := -1
	off := v2HeadLen + al
	err := walkTLVs(body[al:], func(t TLVType, v []byte) error {
		if t == TLVCRC32C {
			if len(v) != 4 || crcAt >= 0 {
				return v2Error(off, "CRC32C TLV repeated or not 4 bytes")
			}
			crcAt = off + 3
		}
		if reason := checkTLV(t, v); reason != "" {
			return v2Error(off, reason)
		}
		h.TLVs = append(h.TLVs, TLV{Type: t, Value: v})
		off += 3 + len(v)
		return nil
	})
	if err == errTLVShort {
		return Header{}, 0, v2Error(off, "TLV overruns the header")
	}
	if err != nil {
		return Header{}, 0, err
	}
	if crcAt >= 0 && !checkCRC(b[:n], crcAt) {
		return Header{}, 0, ErrBadChecksum
	}
	return h, n, nil
}

// checkCRC reports whether the CRC32C stored at b[at:at+4] is that of b
// with those 4 bytes zeroed.
func checkCRC(b []byte, at int) bool {
	want := binary.BigEndian.Uint32(b[at : at+4])
	var zero [4]byte
	c := crc32.Update(0, castagnoli, b[:at])
	c = crc32.Update(c, castagnoli, zero[:])
	c = crc32.Update(c, castagnoli, b[at+4:])
	return c == want
}

// unixPath returns a sun_path: the bytes before the first NUL.
func unixPath(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func v2Error(off int, reason string) error {
	return &ParseError{Version: 2, Offset: off, Reason: reason}
}

// checkTLV returns why the value of a TLV of type t is malformed, or "".
func checkTLV(t TLVType, v []byte) string {
	switch t {
	case TLVSSL:
		if len(v) < 5 || walkTLVs(v[5:], func(TLVType, []byte) error { return nil }) != nil {
			return "malformed SSL TLV"
		}
	case TLVUniqueID:
		if len(v) > maxUniqueIDLen {
			return "unique ID longer than 128 bytes"
		}
	}
	return ""
}

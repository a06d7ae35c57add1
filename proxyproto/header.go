package proxyproto

import (
	"net"
	"net/netip"
)

// Command is the version 2 command: what the connection carries.
type Command byte

const (
	// Local is a connection the proxy made on its own (a health check):
	// the receiver keeps the connection's real addresses.
	Local Command = 0x0
	// Proxy is a connection relayed for a client whose addresses the
	// header gives. Version 1 headers always carry Proxy.
	Proxy Command = 0x1
)

// Protocol is the relayed connection's address family and transport, with
// the values of the version 2 family byte (family in the high four bits,
// transport in the low four).
type Protocol byte

const (
	// Unspec is an unknown or unspecified protocol (version 1 "UNKNOWN"):
	// the header carries no address the receiver uses.
	Unspec Protocol = 0x00
	// TCP4 is TCP over IPv4.
	TCP4 Protocol = 0x11
	// UDP4 is UDP over IPv4 (version 2 only).
	UDP4 Protocol = 0x12
	// TCP6 is TCP over IPv6.
	TCP6 Protocol = 0x21
	// UDP6 is UDP over IPv6 (version 2 only).
	UDP6 Protocol = 0x22
	// UnixStream is a Unix stream socket (version 2 only).
	UnixStream Protocol = 0x31
	// UnixDatagram is a Unix datagram socket (version 2 only).
	UnixDatagram Protocol = 0x32
)

// family returns the high four bits: 0 unspecified, 1 IPv4, 2 IPv6, 3 Unix.
func (p Protocol) family() byte { return byte(p) >> 4 }

// transport returns the low four bits: 0 unspecified, 1 stream, 2 datagram.
func (p Protocol) transport() byte { return byte(p) & 0x0f }

// addrLen returns the length of the version 2 address block for p.
func (p Protocol) addrLen() int {
	if p.transport() == 0 {
		return 0
	}
	switch p.family() {
	case 1:
		return 12
	case 2:
		return 36
	case 3:
		return 2 * unixAddrLen
	}
	return 0
}

// unixAddrLen is the size of a version 2 Unix address (sun_path).
const unixAddrLen = 108

// Header is a PROXY protocol header.
//
// Source and Destination hold the addresses of an IPv4 or IPv6 protocol;
// SourceUnix and DestinationUnix the socket paths of a Unix one. Both are
// zero for Unspec. TLVs (version 2 only) are kept in the order received.
// A Unix path is what precedes the first NUL of its 108 bytes (an
// abstract socket's name, which starts with a NUL, reads as empty).
//
// See https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt
type Header struct {
	// Version is 1 (the text line) or 2 (binary).
	Version int
	// Command is Proxy or Local (version 2 only: version 1 is always
	// Proxy).
	Command Command
	// Protocol is the relayed connection's family and transport.
	Protocol Protocol

	Source, Destination         netip.AddrPort
	SourceUnix, DestinationUnix string

	// TLVs are the version 2 type-length-value fields after the
	// addresses. Values returned by ParseHeader point into its input.
	TLVs []TLV
}

// minV1Len is the length of the shortest version 1 line, "PROXY UNKNOWN\r\n".
const minV1Len = 15

// maxV1Len is the longest version 1 line a receiver must accept, CRLF
// included.
const maxV1Len = 107

// v2HeadLen is the length of the fixed part of a version 2 header:
// signature, version and command, protocol, address block length.
const v2HeadLen = 16

// MaxV2Len is the largest version 2 header the format can express.
const MaxV2Len = v2HeadLen + 0xffff

// v1Sig starts every version 1 header.
const v1Sig = "PROXY "

// v2Sig starts every version 2 header.
const v2Sig = "\r\n\r\n\x00\r\nQUIT\n"

// addrs returns the addresses a Conn reports for h, or nil for those it
// keeps from the real connection (Local, Unspec).
func (h *Header) addrs() (src, dst net.Addr) {
	if h.Command != Proxy {
		return nil, nil
	}
	switch h.Protocol {
	case TCP4, TCP6:
		return net.TCPAddrFromAddrPort(h.Source), net.TCPAddrFromAddrPort(h.Destination)
	case UDP4, UDP6:
		return net.UDPAddrFromAddrPort(h.Source), net.UDPAddrFromAddrPort(h.Destination)
	case UnixStream:
		return &net.UnixAddr{Name: h.SourceUnix, Net: "unix"}, &net.UnixAddr{Name: h.DestinationUnix, Net: "unix"}
	case UnixDatagram:
		return &net.UnixAddr{Name: h.SourceUnix, Net: "unixgram"}, &net.UnixAddr{Name: h.DestinationUnix, Net: "unixgram"}
	}
	return nil, nil
}

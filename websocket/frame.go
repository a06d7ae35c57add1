package websocket

import (
	"encoding/binary"
	"errors"
)

// The frame codec: parsing and appending frame headers, and the framing
// rules of RFC 6455 section 5 that do not depend on the connection. It
// imports only the standard library, so it can be tested and fuzzed alone.
//
// See https://www.rfc-editor.org/rfc/rfc6455#section-5.2
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-------+-+-------------+-------------------------------+
//	|F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//	|I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//	|N|V|V|V|       |S|             |   (if payload len==126/127)   |
//	| |1|2|3|       |K|             |                               |
//	+-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//	|     Extended payload length continued, if payload len == 127  |
//	+ - - - - - - - - - - - - - - - +-------------------------------+
//	|                               |Masking-key, if MASK set to 1  |
//	+-------------------------------+-------------------------------+
//	| Masking-key (continued)       |          Payload Data         |
//	+-------------------------------- - - - - - - - - - - - - - - - +

// Opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// Bits of the first two header bytes.
const (
	bitFin  = 0x80
	bitRsv1 = 0x40 // "compressed" under permessage-deflate (RFC 7692)
	bitRsv2 = 0x20
	bitRsv3 = 0x10
	bitMask = 0x80

	rsvBits = bitRsv1 | bitRsv2 | bitRsv3
)

const (
	// maxControlPayload is the largest payload of a control frame.
	maxControlPayload = 125
	// maxHeaderSize is the longest frame header: 2 bytes, a 64-bit length
	// and a masking key.
	maxHeaderSize = 14
)

// frameHeader is a parsed frame header.
type frameHeader struct {
	fin    bool
	rsv    byte // the reserved bits, in place (rsvBits)
	op     byte
	masked bool
	key    [4]byte
	length int64
}

// Errors of parseFrameHeader: the payload length field breaks RFC 6455
// section 5.2. Either one fails the connection with 1002.
var (
	// errFrameLength: a 64-bit length whose most significant bit is set.
	errFrameLength = errors.New("websocket: frame length out of range")
	// errFrameLengthEncoding: a length in more bytes than it needs, such
	// as 125 in 16 bits or 65535 in 64 bits ("the minimal number of bytes
	// MUST be used to encode the length").
	errFrameLengthEncoding = errors.New("websocket: frame length not minimally encoded")
)

// parseFrameHeader parses the frame header at the start of b. It returns
// the header's length, or 0 (and no error) when b does not hold the whole
// header yet. It checks only what the header itself says, including that
// the length is encoded in as few bytes as possible, so that every header
// it accepts appends back to the same bytes; the rules that depend on the
// connection are in checkFrame.
func parseFrameHeader(b []byte) (h frameHeader, n int, err error) {
	if len(b) < 2 {
		return h, 0, nil
	}
	b0, b1 := b[0], b[1]
	h.fin = b0&bitFin != 0
	h.rsv = b0 & rsvBits
	h.op = b0 & 0x0f
	h.masked = b1&bitMask != 0
	n = 2
	switch l := b1 & 0x7f; l {
	case 126:
		if len(b) < 4 {
			return h, 0, nil
		}
		h.length = int64(binary.BigEndian.Uint16(b[2:]))
		if h.length <= 125 {
			return h, 0, errFrameLengthEncoding
		}
		n = 4
	case 127:
		if len(b) < 10 {
			return h, 0, nil
		}
		v := binary.BigEndian.Uint64(b[2:])
		if v>>63 != 0 {
			return h, 0, errFrameLength
		}
		if v <= 0xffff {
			return h, 0, errFrameLengthEncoding
		}
		h.length = int64(v)
		n = 10
	default:
		h.length = int64(l)
	}
	if h.masked {
		if len(b) < n+4 {
			return h, 0, nil
		}
		copy(h.key[:], b[n:n+4])
		n += 4
	}
	return h, n, nil
}

// appendFrameHeader appends a frame header to dst. A nil key means an
// unmasked frame.
func appendFrameHeader(dst []byte, fin bool, rsv, op byte, key *[4]byte, length int) []byte {
	b0 := rsv | op
	if fin {
		b0 |= bitFin
	}
	var b1 byte
	if key != nil {
		b1 = bitMask
	}
	switch {
	case length <= 125:
		dst = append(dst, b0, b1|byte(length))
	case length <= 0xffff:
		dst = append(dst, b0, b1|126, byte(length>>8), byte(length))
	default:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(length))
	}
	if key != nil {
		dst = append(dst, key[:]...)
	}
	return dst
}

// frameHeaderSize returns the length of the header of a frame with a
// payload of length bytes.
func frameHeaderSize(length int, masked bool) int {
	n := 2
	switch {
	case length > 0xffff:
		n = 10
	case length > 125:
		n = 4
	}
	if masked {
		n += 4
	}
	return n
}

// frameRules are the facts about a connection that decide whether a frame
// header is acceptable.
type frameRules struct {
	fromClient bool // frames come from a client: they must be masked
	deflate    bool // permessage-deflate was negotiated: RSV1 may be set
	inMessage  bool // a fragmented data message is in progress
}

// checkFrame applies the framing rules of RFC 6455 section 5 (and RFC
// 7692 section 6 for RSV1) to a received header. It returns "" when the
// frame is acceptable, or the reason to fail the connection with a 1002
// (protocol error) close.
func checkFrame(h *frameHeader, r frameRules) string {
	if h.masked != r.fromClient {
		if r.fromClient {
			return "unmasked client frame"
		}
		return "masked server frame"
	}
	switch h.op {
	case opContinuation:
		if !r.inMessage {
			return "continuation frame without a message"
		}
		if h.rsv != 0 {
			return "reserved bits set on a continuation frame"
		}
	case opText, opBinary:
		if r.inMessage {
			return "data frame inside a fragmented message"
		}
		if h.rsv&^bitRsv1 != 0 || h.rsv&bitRsv1 != 0 && !r.deflate {
			return "reserved bits set"
		}
	case opClose, opPing, opPong:
		if h.rsv != 0 {
			return "reserved bits set on a control frame"
		}
		if !h.fin {
			return "fragmented control frame"
		}
		if h.length > maxControlPayload {
			return "control frame payload longer than 125 bytes"
		}
		if h.op == opClose && h.length == 1 {
			return "close frame with a one-byte payload"
		}
	default:
		return "reserved opcode"
	}
	return ""
}

// isControl reports whether op is a control opcode.
func isControl(op byte) bool { return op&0x8 != 0 }

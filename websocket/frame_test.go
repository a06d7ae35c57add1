package websocket

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// dehex decodes hex with spaces, as protocol tests spell wire bytes.
func dehex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// frameHeaderCases are the header examples of RFC 6455 section 5.7 and
// the length encodings; FuzzParseFrameHeader starts from them.
var frameHeaderCases = []struct {
	name string
	wire string
	want frameHeader
}{
	{"5.7 unmasked text", "8105", frameHeader{fin: true, op: opText, length: 5}},
	{"5.7 masked text", "8185 37fa213d", frameHeader{fin: true, op: opText, masked: true, key: [4]byte{0x37, 0xfa, 0x21, 0x3d}, length: 5}},
	{"5.7 first fragment", "0103", frameHeader{op: opText, length: 3}},
	{"5.7 last fragment", "8002", frameHeader{fin: true, op: opContinuation, length: 2}},
	{"5.7 ping", "8985", frameHeader{fin: true, op: opPing, masked: true, length: 5}},
	{"5.7 256 bytes", "827e 0100", frameHeader{fin: true, op: opBinary, length: 256}},
	{"5.7 64 KiB", "827f 0000000000010000", frameHeader{fin: true, op: opBinary, length: 65536}},
	{"125 bytes", "827d", frameHeader{fin: true, op: opBinary, length: 125}},
	{"126 bytes", "827e 007e", frameHeader{fin: true, op: opBinary, length: 126}},
	{"65535 bytes", "827e ffff", frameHeader{fin: true, op: opBinary, length: 65535}},
	{"rsv1", "c105", frameHeader{fin: true, rsv: bitRsv1, op: opText, length: 5}},
}

func TestParseFrameHeader(t *testing.T) {
	for _, tc := range frameHeaderCases {
		t.Run(tc.name, func(t *testing.T) {
			wire := dehex(tc.wire)
			if tc.want.masked && len(wire) == 2 {
				wire = append(wire, 0, 0, 0, 0)
			}
			h, n, err := parseFrameHeader(wire)
			if err != nil || n != len(wire) || h != tc.want {
				t.Fatalf("got %+v %d %v, want %+v %d", h, n, err, tc.want, len(wire))
			}
			// Every shorter prefix asks for more.
			for i := 0; i < len(wire); i++ {
				if _, n, err := parseFrameHeader(wire[:i]); n != 0 || err != nil {
					t.Fatalf("prefix %d: n=%d err=%v", i, n, err)
				}
			}
			// And appending gives the same bytes back.
			var key *[4]byte
			if h.masked {
				key = &h.key
			}
			if got := appendFrameHeader(nil, h.fin, h.rsv, h.op, key, int(h.length)); !bytes.Equal(got, wire) {
				t.Fatalf("append: % x, want % x", got, wire)
			}
		})
	}
}

// TestParseFrameHeaderLengthMSB: RFC 6455 section 5.2, the most
// significant bit of a 64-bit length must be 0.
func TestParseFrameHeaderLengthMSB(t *testing.T) {
	if _, _, err := parseFrameHeader(dehex("827f 8000000000000000")); err != errFrameLength {
		t.Fatalf("err = %v", err)
	}
}

// nonMinimalLengths are payload lengths encoded in more bytes than they
// need, which RFC 6455 section 5.2 forbids ("the minimal number of bytes
// MUST be used to encode the length"), next to the MSB rule.
var nonMinimalLengths = []struct {
	name string
	wire string
	err  error
}{
	{"5.2 0 in 16 bits", "827e 0000", errFrameLengthEncoding},
	{"5.2 125 in 16 bits", "827e 007d", errFrameLengthEncoding},
	{"5.2 masked 125 in 16 bits", "82fe 007d 37fa213d", errFrameLengthEncoding},
	{"5.2 0 in 64 bits", "827f 0000000000000000", errFrameLengthEncoding},
	{"5.2 125 in 64 bits", "827f 000000000000007d", errFrameLengthEncoding},
	{"5.2 126 in 64 bits", "827f 000000000000007e", errFrameLengthEncoding},
	{"5.2 65535 in 64 bits", "827f 000000000000ffff", errFrameLengthEncoding},
	{"5.2 MSB set", "827f 8000000000000000", errFrameLength},
	{"5.2 MSB set, low bits small", "827f 8000000000000001", errFrameLength},
}

// TestParseFrameHeaderNonMinimalLength: RFC 6455 section 5.2, a length
// encoded in more bytes than needed is an error as soon as the length
// field is complete (the masking key need not have arrived), while the
// smallest length of each form parses (125 in 7 bits, 126 in 16 bits and
// 65536 in 64 bits are in frameHeaderCases).
func TestParseFrameHeaderNonMinimalLength(t *testing.T) {
	for _, tc := range nonMinimalLengths {
		t.Run(tc.name, func(t *testing.T) {
			wire := dehex(tc.wire)
			lengthEnd := 4
			if wire[1]&0x7f == 127 {
				lengthEnd = 10
			}
			for i := lengthEnd; i <= len(wire); i++ {
				if h, n, err := parseFrameHeader(wire[:i]); err != tc.err || n != 0 {
					t.Fatalf("%d bytes: %+v %d %v, want %v", i, h, n, err, tc.err)
				}
			}
			for i := 0; i < lengthEnd; i++ {
				if _, n, err := parseFrameHeader(wire[:i]); n != 0 || err != nil {
					t.Fatalf("prefix %d: n=%d err=%v", i, n, err)
				}
			}
		})
	}
}

func TestFrameHeaderSize(t *testing.T) {
	for _, n := range []int{0, 125, 126, 65535, 65536, 1 << 30} {
		for _, masked := range []bool{false, true} {
			var key *[4]byte
			if masked {
				key = &[4]byte{}
			}
			if got, want := frameHeaderSize(n, masked), len(appendFrameHeader(nil, true, 0, opBinary, key, n)); got != want {
				t.Errorf("frameHeaderSize(%d, %v) = %d, want %d", n, masked, got, want)
			}
		}
	}
}

// TestCheckFrame: the framing rules of RFC 6455 section 5 and RFC 7692
// section 6.
func TestCheckFrame(t *testing.T) {
	srv := frameRules{fromClient: true}
	for _, tc := range []struct {
		name  string
		h     frameHeader
		rules frameRules
		ok    bool
	}{
		{"5.1 masked client text", frameHeader{fin: true, op: opText, masked: true}, srv, true},
		{"5.1 unmasked client frame", frameHeader{fin: true, op: opText}, srv, false},
		{"5.1 masked server frame", frameHeader{fin: true, op: opText, masked: true}, frameRules{}, false},
		{"5.1 unmasked server frame", frameHeader{fin: true, op: opText}, frameRules{}, true},
		{"5.2 rsv1 without extension", frameHeader{fin: true, op: opText, masked: true, rsv: bitRsv1}, srv, false},
		{"5.2 rsv2", frameHeader{fin: true, op: opText, masked: true, rsv: bitRsv2}, frameRules{fromClient: true, deflate: true}, false},
		{"5.2 rsv3", frameHeader{fin: true, op: opBinary, masked: true, rsv: bitRsv3}, srv, false},
		{"7692-6 rsv1 with deflate", frameHeader{fin: true, op: opText, masked: true, rsv: bitRsv1}, frameRules{fromClient: true, deflate: true}, true},
		{"7692-6.1 rsv1 on continuation", frameHeader{fin: true, op: opContinuation, masked: true, rsv: bitRsv1}, frameRules{fromClient: true, deflate: true, inMessage: true}, false},
		{"7692-6.1 rsv1 on ping", frameHeader{fin: true, op: opPing, masked: true, rsv: bitRsv1}, frameRules{fromClient: true, deflate: true}, false},
		{"5.2 opcode 3", frameHeader{fin: true, op: 3, masked: true}, srv, false},
		{"5.2 opcode 7", frameHeader{fin: true, op: 7, masked: true}, srv, false},
		{"5.2 opcode 0xb", frameHeader{fin: true, op: 0xb, masked: true}, srv, false},
		{"5.2 opcode 0xf", frameHeader{fin: true, op: 0xf, masked: true}, srv, false},
		{"5.4 continuation without message", frameHeader{fin: true, op: opContinuation, masked: true}, srv, false},
		{"5.4 continuation in message", frameHeader{fin: true, op: opContinuation, masked: true}, frameRules{fromClient: true, inMessage: true}, true},
		{"5.4 text inside a fragmented message", frameHeader{fin: true, op: opText, masked: true}, frameRules{fromClient: true, inMessage: true}, false},
		{"5.4 ping inside a fragmented message", frameHeader{fin: true, op: opPing, masked: true}, frameRules{fromClient: true, inMessage: true}, true},
		{"5.5 fragmented ping", frameHeader{op: opPing, masked: true}, srv, false},
		{"5.5 ping of 125 bytes", frameHeader{fin: true, op: opPing, masked: true, length: 125}, srv, true},
		{"5.5 ping of 126 bytes", frameHeader{fin: true, op: opPing, masked: true, length: 126}, srv, false},
		{"5.5.1 close with one byte", frameHeader{fin: true, op: opClose, masked: true, length: 1}, srv, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if reason := checkFrame(&tc.h, tc.rules); (reason == "") != tc.ok {
				t.Fatalf("checkFrame = %q, want ok=%v", reason, tc.ok)
			}
		})
	}
}

// headerOracle says what parseFrameHeader must return for b, worked out
// from the RFC 6455 section 5.2 layout on its own: the header length (0
// when b does not hold the whole header yet) and the error of a length
// field that breaks the rules, as soon as the length field is complete.
func headerOracle(b []byte) (n int, err error) {
	if len(b) < 2 {
		return 0, nil
	}
	lenBytes := 0
	switch b[1] & 0x7f {
	case 126:
		lenBytes = 2
	case 127:
		lenBytes = 8
	}
	if len(b) < 2+lenBytes {
		return 0, nil
	}
	var v uint64
	for _, c := range b[2 : 2+lenBytes] {
		v = v<<8 | uint64(c)
	}
	switch {
	case lenBytes == 8 && v >= 1<<63:
		return 0, errFrameLength
	case lenBytes == 2 && v < 126, lenBytes == 8 && v < 1<<16:
		return 0, errFrameLengthEncoding
	}
	n = 2 + lenBytes
	if b[1]&0x80 != 0 {
		n += 4
	}
	if len(b) < n {
		return 0, nil
	}
	return n, nil
}

// FuzzParseFrameHeader: whatever the bytes, parsing does not panic,
// agrees with headerOracle on the header length and the error, and a
// parsed header appends back to the same bytes: only the minimal length
// encoding, the one appendFrameHeader writes, is accepted.
func FuzzParseFrameHeader(f *testing.F) {
	for _, tc := range frameHeaderCases {
		f.Add(dehex(tc.wire))
	}
	for _, tc := range nonMinimalLengths {
		f.Add(dehex(tc.wire))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := parseFrameHeader(b)
		if wantN, wantErr := headerOracle(b); n != wantN || err != wantErr {
			t.Fatalf("% x: n=%d err=%v, want n=%d err=%v", b, n, err, wantN, wantErr)
		}
		if err != nil || n == 0 {
			return
		}
		if n > maxHeaderSize || n > len(b) {
			t.Fatalf("header length %d", n)
		}
		if h.length < 0 {
			t.Fatalf("negative length %d", h.length)
		}
		if frameHeaderSize(int(h.length), h.masked) != n {
			t.Fatalf("% x: accepted a %d-byte header for length %d", b[:n], n, h.length)
		}
		var key *[4]byte
		if h.masked {
			key = &h.key
		}
		if got := appendFrameHeader(nil, h.fin, h.rsv, h.op, key, int(h.length)); !bytes.Equal(got, b[:n]) {
			t.Fatalf("round trip: % x, want % x", got, b[:n])
		}
		checkFrame(&h, frameRules{fromClient: h.masked})
	})
}

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

// FuzzParseFrameHeader: whatever the bytes, parsing does not panic, and
// a parsed header appends back to the same bytes (lengths are encoded
// minimally by us, so only minimal encodings round-trip).
func FuzzParseFrameHeader(f *testing.F) {
	for _, tc := range frameHeaderCases {
		f.Add(dehex(tc.wire))
	}
	f.Add(dehex("827f 8000000000000000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := parseFrameHeader(b)
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
			return // a longer length encoding than needed
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

package proxyproto

import (
	"encoding/hex"
	"errors"
	"hash/crc32"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// dehex decodes spaced hex.
func dehex(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}

const sigHex = "0d0a 0d0a 000d 0a51 5549 540a"

var (
	ap = netip.MustParseAddrPort
)

type parseCase struct {
	name string
	in   []byte
	want Header
	n    int   // header length; 0: len(in)
	err  error // nil: success
}

var parseCases = []parseCase{
	// Section 2.1: the version 1 line.
	{name: "2.1 TCP4", in: []byte("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET /"), n: 47,
		want: Header{Version: 1, Command: Proxy, Protocol: TCP4, Source: ap("192.168.0.1:56324"), Destination: ap("192.168.0.11:443")}},
	{name: "2.1 TCP4 max", in: []byte("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n"),
		want: Header{Version: 1, Command: Proxy, Protocol: TCP4, Source: ap("255.255.255.255:65535"), Destination: ap("255.255.255.255:65535")}},
	{name: "2.1 TCP4 port 0", in: []byte("PROXY TCP4 0.0.0.0 1.2.3.4 0 0\r\n"),
		want: Header{Version: 1, Command: Proxy, Protocol: TCP4, Source: ap("0.0.0.0:0"), Destination: ap("1.2.3.4:0")}},
	{name: "2.1 TCP6", in: []byte("PROXY TCP6 2001:db8::1 2001:DB8::2 1234 80\r\n"),
		want: Header{Version: 1, Command: Proxy, Protocol: TCP6, Source: ap("[2001:db8::1]:1234"), Destination: ap("[2001:db8::2]:80")}},
	{name: "2.1 TCP6 max", in: []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
		want: Header{Version: 1, Command: Proxy, Protocol: TCP6, Source: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"), Destination: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")}},
	{name: "2.1 UNKNOWN short", in: []byte("PROXY UNKNOWN\r\nx"), n: 15,
		want: Header{Version: 1, Command: Proxy, Protocol: Unspec}},
	{name: "2.1 UNKNOWN worst case 107", in: []byte("PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
		want: Header{Version: 1, Command: Proxy, Protocol: Unspec}},
	{name: "2.1 UNKNOWN anything", in: []byte("PROXY UNKNOWN whatever 1 2\r\n"),
		want: Header{Version: 1, Command: Proxy, Protocol: Unspec}},

	{name: "2.1 leading zero in address", in: []byte("PROXY TCP4 192.168.0.01 192.168.0.11 56324 443\r\n"), err: ErrInvalidHeader},
	{name: "2.1 leading zero in port", in: []byte("PROXY TCP4 192.168.0.1 192.168.0.11 056324 443\r\n"), err: ErrInvalidHeader},
	{name: "2.1 port over 65535", in: []byte("PROXY TCP4 192.168.0.1 192.168.0.11 65536 443\r\n"), err: ErrInvalidHeader},
	{name: "2.1 two spaces", in: []byte("PROXY TCP4 192.168.0.1  192.168.0.11 1 443\r\n"), err: ErrInvalidHeader},
	{name: "2.1 five fields", in: []byte("PROXY TCP4 192.168.0.1 192.168.0.11 1 443 5\r\n"), err: ErrInvalidHeader},
	{name: "2.1 three fields", in: []byte("PROXY TCP4 192.168.0.1 192.168.0.11 1\r\n"), err: ErrInvalidHeader},
	{name: "2.1 TCP4 with IPv6", in: []byte("PROXY TCP4 ::1 ::1 1 2\r\n"), err: ErrInvalidHeader},
	{name: "2.1 TCP6 with IPv4", in: []byte("PROXY TCP6 1.2.3.4 1.2.3.4 1 2\r\n"), err: ErrInvalidHeader},
	{name: "2.1 TCP6 dotted quad", in: []byte("PROXY TCP6 ::ffff:1.2.3.4 ::1 1 2\r\n"), err: ErrInvalidHeader},
	{name: "2.1 TCP6 zone", in: []byte("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), err: ErrInvalidHeader},
	{name: "2.1 lower-case protocol", in: []byte("PROXY tcp4 1.2.3.4 1.2.3.4 1 2\r\n"), err: ErrInvalidHeader},
	{name: "2.1 UNKNOWN glued", in: []byte("PROXY UNKNOWNX\r\n"), err: ErrInvalidHeader},
	{name: "2.1 lone LF", in: []byte("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\nGET / HTTP/1.1\r\n"), err: ErrInvalidHeader},
	{name: "2.1 lone CR", in: []byte("PROXY UNKNOWN \r x\r\n"), err: ErrInvalidHeader},
	{name: "2.1 no CRLF in 107 bytes", in: []byte("PROXY UNKNOWN " + strings.Repeat("f", 92) + "\r\n"), err: ErrHeaderTooLong},
	{name: "2.1 truncated", in: []byte("PROXY TCP4 1.2.3.4 1.2"), err: ErrTruncated},
	{name: "2.1 truncated at CR", in: []byte("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r"), err: ErrTruncated},
	{name: "no signature", in: []byte("GET / HTTP/1.1\r\n\r\n"), err: ErrNoHeader},
	{name: "signature prefix", in: []byte("PRO"), err: ErrTruncated},
	{name: "empty", in: nil, err: ErrTruncated},

	// Section 2.2: the binary header.
	{name: "2.2 PROXY TCP4", in: dehex(sigHex + "21 11 000c c0a80001 c0a8000b dc04 01bb" + "474554"), n: 28,
		want: Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("192.168.0.1:56324"), Destination: ap("192.168.0.11:443")}},
	{name: "2.2 PROXY UDP4", in: dehex(sigHex + "21 12 000c 01020304 05060708 0035 0036"),
		want: Header{Version: 2, Command: Proxy, Protocol: UDP4, Source: ap("1.2.3.4:53"), Destination: ap("5.6.7.8:54")}},
	{name: "2.2 PROXY TCP6", in: dehex(sigHex + "21 21 0024 20010db8000000000000000000000001 20010db8000000000000000000000002 04d2 0050"),
		want: Header{Version: 2, Command: Proxy, Protocol: TCP6, Source: ap("[2001:db8::1]:1234"), Destination: ap("[2001:db8::2]:80")}},
	{name: "2.2 LOCAL", in: dehex(sigHex + "20 00 0000"),
		want: Header{Version: 2, Command: Local, Protocol: Unspec}},
	{name: "2.2 LOCAL with addresses", in: dehex(sigHex + "20 11 000c 7f000001 7f000001 0001 0002"),
		want: Header{Version: 2, Command: Local, Protocol: TCP4, Source: ap("127.0.0.1:1"), Destination: ap("127.0.0.1:2")}},
	{name: "2.2 PROXY UNSPEC", in: dehex(sigHex + "21 00 0000"),
		want: Header{Version: 2, Command: Proxy, Protocol: Unspec}},
	{name: "2.2 PROXY unix stream", in: dehex(sigHex + "21 31 00d8" + hex.EncodeToString(padded("/run/a.sock")) + hex.EncodeToString(padded("/run/b.sock"))),
		want: Header{Version: 2, Command: Proxy, Protocol: UnixStream, SourceUnix: "/run/a.sock", DestinationUnix: "/run/b.sock"}},
	{name: "2.2.2 authority TLV", in: dehex(sigHex + "21 11 001a 01020304 05060708 0001 0002 02 000b 6578616d706c652e636f6d"),
		want: Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("1.2.3.4:1"), Destination: ap("5.6.7.8:2"),
			TLVs: []TLV{{TLVAuthority, []byte("example.com")}}}},
	{name: "2.2.4 NOOP and unique ID", in: dehex(sigHex + "21 11 0016 01020304 05060708 0001 0002 04 0000 05 0004 61626364"),
		want: Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("1.2.3.4:1"), Destination: ap("5.6.7.8:2"),
			TLVs: []TLV{{TLVNoop, []byte{}}, {TLVUniqueID, []byte("abcd")}}}},
	{name: "2.2.6 SSL TLV", in: dehex(sigHex + "21 11 0022 01020304 05060708 0001 0002 20 0013 01 00000000 21 0007 544c5376312e33 22 0001 63"),
		want: Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("1.2.3.4:1"), Destination: ap("5.6.7.8:2"),
			TLVs: []TLV{{TLVSSL, dehex("01 00000000 21 0007 544c5376312e33 22 0001 63")}}}},

	{name: "2.2 version 1 in binary", in: dehex(sigHex + "11 11 000c 01020304 05060708 0001 0002"), err: ErrInvalidHeader},
	{name: "2.2 command 2", in: dehex(sigHex + "22 11 000c 01020304 05060708 0001 0002"), err: ErrInvalidHeader},
	{name: "2.2 family 4", in: dehex(sigHex + "21 41 0000"), err: ErrInvalidHeader},
	{name: "2.2 transport 3", in: dehex(sigHex + "21 13 000c 01020304 05060708 0001 0002"), err: ErrInvalidHeader},
	{name: "2.2 address block too short", in: dehex(sigHex + "21 11 0008 01020304 05060708"), err: ErrInvalidHeader},
	{name: "2.2 truncated fixed part", in: dehex(sigHex + "21 11 00"), err: ErrTruncated},
	{name: "2.2 truncated addresses", in: dehex(sigHex + "21 11 000c 01020304 0506"), err: ErrTruncated},
	{name: "2.2 TLV overruns", in: dehex(sigHex + "21 11 0010 01020304 05060708 0001 0002 02 0005 61"), err: ErrInvalidHeader},
	{name: "2.2 TLV stub", in: dehex(sigHex + "21 11 000e 01020304 05060708 0001 0002 02 00"), err: ErrInvalidHeader},
	{name: "2.2.3 CRC32C not 4 bytes", in: dehex(sigHex + "21 11 0012 01020304 05060708 0001 0002 03 0003 000000"), err: ErrInvalidHeader},
	{name: "2.2.3 CRC32C bad", in: dehex(sigHex + "21 11 0013 01020304 05060708 0001 0002 03 0004 00000000"), err: ErrBadChecksum},
	{name: "2.2.5 unique ID over 128 bytes", in: dehex(sigHex + "21 11 008e 01020304 05060708 0001 0002 05 0081" + strings.Repeat("61", 129)), err: ErrInvalidHeader},
	{name: "2.2.6 SSL TLV short", in: dehex(sigHex + "21 11 0010 01020304 05060708 0001 0002 20 0001 01"), err: ErrInvalidHeader},
	{name: "2.2.6 SSL sub-TLV overruns", in: dehex(sigHex + "21 11 0016 01020304 05060708 0001 0002 20 0007 01 00000000 21 00"), err: ErrInvalidHeader},
}

func padded(s string) []byte {
	b := make([]byte, unixAddrLen)
	copy(b, s)
	return b
}

func TestParseHeader(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			h, n, err := ParseHeader(tc.in)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tc.n
			if want == 0 {
				want = len(tc.in)
			}
			if n != want {
				t.Errorf("n = %d, want %d", n, want)
			}
			if !reflect.DeepEqual(h, tc.want) {
				t.Errorf("got  %+v\nwant %+v", h, tc.want)
			}
		})
	}
}

// TestParseError checks the offset and version of a *ParseError.
func TestParseError(t *testing.T) {
	_, _, err := ParseHeader([]byte("PROXY TCP4 1.2.3.4 1.2.3.4 1 0x\r\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Version != 1 || pe.Offset != 29 {
		t.Fatalf("err = %#v", err)
	}
	if got := pe.Error(); got != "proxyproto: invalid v1 header at byte 29: bad destination port" {
		t.Fatalf("Error() = %q", got)
	}
}

// Test2_2_3_CRC32C checks a header with a CRC32C field: Append fills it,
// ParseHeader checks it, and a flipped bit anywhere is caught.
func Test2_2_3_CRC32C(t *testing.T) {
	if got := crc32.Checksum([]byte("123456789"), castagnoli); got != 0xe3069283 {
		t.Fatalf("CRC32C check value = %#x", got) // RFC 4960 Appendix B polynomial
	}
	h := Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("1.2.3.4:1"), Destination: ap("5.6.7.8:2"),
		TLVs: []TLV{{Type: TLVAuthority, Value: []byte("example.com")}, {Type: TLVCRC32C}}}
	b, err := h.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, n, err := ParseHeader(b)
	if err != nil || n != len(b) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	v, ok := got.TLV(TLVCRC32C)
	if !ok || len(v) != 4 {
		t.Fatalf("CRC TLV %x", v)
	}
	// The stored checksum is that of the header with the field zeroed.
	z := append([]byte(nil), b...)
	copy(z[len(z)-4:], []byte{0, 0, 0, 0})
	if want := crc32.Checksum(z, castagnoli); uint32(v[0])<<24|uint32(v[1])<<16|uint32(v[2])<<8|uint32(v[3]) != want {
		t.Fatalf("CRC %x, want %#x", v, want)
	}
	for i := 12; i < len(b); i++ {
		if i >= 14 && i < 16 || i == len(b)-7 {
			continue // the length (a different error), the CRC field's type (no CRC then)
		}
		c := append([]byte(nil), b...)
		c[i] ^= 0x01
		if _, _, err := ParseHeader(c); err == nil {
			t.Errorf("bit flipped at %d: accepted", i)
		}
	}
	h.TLVs = append(h.TLVs, TLV{Type: TLVCRC32C})
	if _, err := h.Append(nil); err != ErrCannotEncode {
		t.Fatalf("two CRC32C fields: %v", err)
	}
}

func TestHeaderSSL(t *testing.T) {
	v, err := AppendSSL(nil, SSL{Client: SSLClientSSL | SSLClientCertConn, Version: "TLSv1.3", CN: "client", Cipher: "TLS_AES_128_GCM_SHA256"})
	if err != nil {
		t.Fatal(err)
	}
	h := Header{Version: 2, Command: Proxy, Protocol: TCP6, Source: ap("[::1]:1"), Destination: ap("[::1]:2"),
		TLVs: []TLV{{TLVSSL, v}, {TLVAuthority, []byte("h.example")}}}
	b, err := h.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := got.SSL()
	if !ok || s != (SSL{Client: 3, Version: "TLSv1.3", CN: "client", Cipher: "TLS_AES_128_GCM_SHA256"}) {
		t.Fatalf("SSL() = %+v, %v", s, ok)
	}
	if a, ok := got.Authority(); !ok || a != "h.example" {
		t.Fatalf("Authority() = %q, %v", a, ok)
	}
	if _, ok := (&Header{}).SSL(); ok {
		t.Fatal("SSL() without the TLV")
	}
}

var appendCases = []struct {
	name string
	h    Header
	want string // spaced hex, or the v1 line
}{
	{"2.1 TCP4", Header{Version: 1, Command: Proxy, Protocol: TCP4, Source: ap("192.168.0.1:56324"), Destination: ap("192.168.0.11:443")},
		"PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"},
	{"2.1 TCP6", Header{Version: 1, Command: Proxy, Protocol: TCP6, Source: ap("[2001:db8::1]:1"), Destination: ap("[::ffff:1.2.3.4]:2")},
		"PROXY TCP6 2001:db8::1 0000:0000:0000:0000:0000:ffff:0102:0304 1 2\r\n"},
	{"2.1 UNKNOWN", Header{Version: 1, Command: Proxy}, "PROXY UNKNOWN\r\n"},
	{"2.2 PROXY TCP4", Header{Version: 2, Command: Proxy, Protocol: TCP4, Source: ap("192.168.0.1:56324"), Destination: ap("192.168.0.11:443")},
		sigHex + "21 11 000c c0a80001 c0a8000b dc04 01bb"},
	{"2.2 LOCAL", Header{Version: 2, Command: Local}, sigHex + "20 00 0000"},
	{"2.2 unix", Header{Version: 2, Command: Proxy, Protocol: UnixDatagram, SourceUnix: "a", DestinationUnix: "b"},
		sigHex + "21 32 00d8 61" + strings.Repeat("00", 107) + "62" + strings.Repeat("00", 107)},
}

func TestHeaderAppend(t *testing.T) {
	for _, tc := range appendCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.h.Append([]byte("x"))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if tc.h.Version == 2 {
				want = string(dehex(tc.want))
			}
			if string(got[1:]) != want {
				t.Fatalf("got  %q\nwant %q", got[1:], want)
			}
			h, n, err := ParseHeader(got[1:])
			if err != nil || n != len(got)-1 {
				t.Fatalf("parse: n=%d err=%v", n, err)
			}
			if !sameHeader(h, tc.h) {
				t.Fatalf("round trip: %+v", h)
			}
		})
	}
}

func TestHeaderAppendRejects(t *testing.T) {
	for _, h := range []Header{
		{Version: 3},
		{Version: 1, Command: Local},
		{Version: 1, Command: Proxy, Protocol: UDP4, Source: ap("1.2.3.4:1"), Destination: ap("1.2.3.4:1")},
		{Version: 1, Command: Proxy, Protocol: TCP4, Source: ap("1.2.3.4:1"), Destination: ap("1.2.3.4:1"), TLVs: []TLV{{TLVNoop, nil}}},
		{Version: 1, Command: Proxy, Protocol: TCP4, Source: ap("[::1]:1"), Destination: ap("1.2.3.4:1")},
		{Version: 1, Command: Proxy, Protocol: TCP6, Source: ap("1.2.3.4:1"), Destination: ap("[::1]:1")},
		{Version: 2, Command: 2},
		{Version: 2, Command: Proxy, Protocol: 0x13},
		{Version: 2, Command: Proxy, Protocol: TCP6, Source: netip.AddrPortFrom(netip.MustParseAddr("fe80::1%eth0"), 1), Destination: ap("[::1]:1")},
		{Version: 2, Command: Proxy, Protocol: UnixStream, SourceUnix: strings.Repeat("a", 109)},
		{Version: 2, Command: Proxy, Protocol: UnixStream, SourceUnix: "a\x00b"},
		{Version: 2, Command: Proxy, TLVs: []TLV{{TLVNoop, make([]byte, 0x10000)}}},
		{Version: 2, Command: Proxy, TLVs: []TLV{{TLVNoop, make([]byte, 0xfff0)}, {TLVNoop, make([]byte, 0x10)}}},
		{Version: 2, Command: Proxy, TLVs: []TLV{{TLVSSL, []byte{1}}}},
		{Version: 2, Command: Proxy, TLVs: []TLV{{TLVUniqueID, make([]byte, 129)}}},
	} {
		if b, err := h.Append(nil); err != ErrCannotEncode || len(b) != 0 {
			t.Errorf("%+v: %q, %v", h, b, err)
		}
	}
	// The largest header the format allows.
	h := Header{Version: 2, Command: Proxy, TLVs: []TLV{{TLVNoop, make([]byte, 0xffff-3)}}}
	b, err := h.Append(nil)
	if err != nil || len(b) != MaxV2Len {
		t.Fatalf("len %d, %v", len(b), err)
	}
	if _, n, err := ParseHeader(b); err != nil || n != MaxV2Len {
		t.Fatalf("parse: %d, %v", n, err)
	}
}

// sameHeader compares headers as the wire sees them: a CRC32C value is
// recomputed by Append, so it is not compared.
func sameHeader(a, b Header) bool {
	strip := func(h Header) Header {
		var tlvs []TLV
		for _, t := range h.TLVs {
			if t.Type == TLVCRC32C {
				t.Value = nil
			}
			if t.Value == nil {
				t.Value = []byte{}
			}
			tlvs = append(tlvs, t)
		}
		h.TLVs = tlvs
		return h
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

// FuzzParseHeader checks that a header ParseHeader accepts can be written
// back by Append, and that the result parses to the same header.
func FuzzParseHeader(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := ParseHeader(b)
		if err != nil {
			if n != 0 {
				t.Fatalf("n = %d with error %v", n, err)
			}
			return
		}
		if n <= 0 || n > len(b) || n > MaxV2Len {
			t.Fatalf("n = %d of %d", n, len(b))
		}
		if h.Version == 1 && n > maxV1Len {
			t.Fatalf("v1 line of %d bytes", n)
		}
		if _, n2, err := ParseHeader(b[:n]); err != nil || n2 != n {
			t.Fatalf("header alone: n=%d err=%v", n2, err)
		}
		out, err := h.Append(nil)
		if err != nil {
			t.Fatalf("Append(%+v): %v", h, err)
		}
		h2, n2, err := ParseHeader(out)
		if err != nil || n2 != len(out) {
			t.Fatalf("reparse %q: n=%d err=%v", out, n2, err)
		}
		if !sameHeader(h, h2) {
			t.Fatalf("round trip:\n%+v\n%+v", h, h2)
		}
	})
}

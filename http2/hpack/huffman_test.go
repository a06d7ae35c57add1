package hpack

import (
	"bytes"
	"errors"
	"testing"
)

// huffmanCases are the Huffman-coded strings of RFC 7541 C.4 and C.6.
var huffmanCases = []struct {
	text, wire string
}{
	{"www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff"},
	{"no-cache", "a8eb 1064 9cbf"},
	{"custom-key", "25a8 49e9 5ba9 7d7f"},
	{"custom-value", "25a8 49e9 5bb8 e8b4 bf"},
	{"302", "6402"},
	{"307", "640e ff"},
	{"private", "aec3 771a 4b"},
	{"Mon, 21 Oct 2013 20:13:21 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff"},
	{"Mon, 21 Oct 2013 20:13:22 GMT", "d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff"},
	{"https://www.example.com", "9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3"},
	{"gzip", "9bd9 ab"},
	{"foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1",
		"94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07"},
	{"", ""},
}

// TestHuffmanRFC7541Examples checks the code table (RFC 7541 Appendix B)
// against the Huffman-coded strings of Appendix C.
func TestHuffmanRFC7541Examples(t *testing.T) {
	for _, tc := range huffmanCases {
		t.Run(tc.text, func(t *testing.T) {
			wire := dehex(t, tc.wire)
			if got := AppendHuffmanString(nil, []byte(tc.text)); !bytes.Equal(got, wire) {
				t.Errorf("encode = % x, want % x", got, wire)
			}
			if n := HuffmanEncodeLength([]byte(tc.text)); n != uint64(len(wire)) {
				t.Errorf("HuffmanEncodeLength = %d, want %d", n, len(wire))
			}
			got, err := AppendHuffmanDecode([]byte("prefix"), wire)
			if err != nil || string(got) != "prefix"+tc.text {
				t.Errorf("decode = %q, %v", got, err)
			}
		})
	}
}

// TestHuffmanEverySymbol encodes each byte value alone, and all of them in
// runs that put every code at every bit offset, and decodes them back.
func TestHuffmanEverySymbol(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := []byte{byte(c)}
		got, err := AppendHuffmanDecode(nil, AppendHuffmanString(nil, s))
		if err != nil || !bytes.Equal(got, s) {
			t.Fatalf("symbol %d: %q, %v", c, got, err)
		}
	}
	var all []byte
	for shift := 0; shift < 8; shift++ {
		for c := 0; c < 256; c++ {
			all = append(all, byte(c), byte(c*7+shift))
		}
	}
	got, err := AppendHuffmanDecode(nil, AppendHuffmanString(nil, all))
	if err != nil || !bytes.Equal(got, all) {
		t.Fatalf("all symbols: %v", err)
	}
}

// TestHuffmanDecodeErrors checks the invalid strings of RFC 7541 Section 5.2.
func TestHuffmanDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		wire string
	}{
		// EOS is 30 one bits; in a string it is an error.
		{"EOS alone", "ff ff ff fc"},
		{"EOS after a symbol", "1f ff ff ff ff"}, // '0' (00000) then 30+ ones
		{"padding of 8 one bits", "ff"},
		{"padding longer than 7 bits after a symbol", "07 ff"}, // "0" then 11 ones
		{"padding not all ones", "00"},                         // "00" then 000000: '0' then 3 zero bits
		{"padding with a zero bit", "1e"},                      // 'a'(00011) then 110
		{"a code cut short", "fe"},                             // 1111111 0: inside '!'..
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := AppendHuffmanDecode(nil, dehex(t, tc.wire))
			if !errors.Is(err, ErrInvalidHuffman) {
				t.Errorf("err = %v, want ErrInvalidHuffman", err)
			}
		})
	}
	// Valid padding of 1 to 7 bits.
	for _, s := range []string{"0", "a", "ab", "abc", "302", "xyz!"} {
		b := AppendHuffmanString(nil, []byte(s))
		if _, err := AppendHuffmanDecode(nil, b); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func TestHuffmanDecodeLimit(t *testing.T) {
	b := AppendHuffmanString(nil, bytes.Repeat([]byte("a"), 100))
	if _, err := appendHuffmanDecode(nil, b, 99); !errors.Is(err, ErrStringTooLong) {
		t.Errorf("limit 99: %v", err)
	}
	if got, err := appendHuffmanDecode(nil, b, 100); err != nil || len(got) != 100 {
		t.Errorf("limit 100: %d, %v", len(got), err)
	}
}

package hpack

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// TestRFC7541AppendixC1 checks the integer examples of RFC 7541 C.1.
func TestRFC7541AppendixC1(t *testing.T) {
	tests := []struct {
		name  string
		n     uint8
		v     uint64
		wire  string
		first byte
	}{
		{"C.1.1 10 with a 5-bit prefix", 5, 10, "0a", 0},
		{"C.1.2 1337 with a 5-bit prefix", 5, 1337, "1f 9a 0a", 0},
		{"C.1.3 42 at an octet boundary", 8, 42, "2a", 0},
		{"flag bits above the prefix are kept", 5, 1337, "ff 9a 0a", 0xe0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := dehex(t, tc.wire)
			got := appendVarInt(nil, tc.n, tc.first, tc.v)
			if !bytes.Equal(got, want) {
				t.Errorf("appendVarInt = % x, want % x", got, want)
			}
			v, rest, err := readVarInt(append(want, 0x55), tc.n)
			if err != nil || v != tc.v || !bytes.Equal(rest, []byte{0x55}) {
				t.Errorf("readVarInt = %d, % x, %v", v, rest, err)
			}
		})
	}
}

func TestIntegerRoundTrip(t *testing.T) {
	values := []uint64{0, 1, 6, 7, 14, 15, 30, 31, 62, 63, 126, 127, 128, 254, 255, 256,
		1<<14 - 1, 1 << 14, 1<<21 + 5, 1<<28 + 3, math.MaxUint32 - 1, math.MaxUint32}
	for n := uint8(1); n <= 8; n++ {
		for _, v := range values {
			b := appendVarInt(nil, n, 0, v)
			got, rest, err := readVarInt(b, n)
			if err != nil || got != v || len(rest) != 0 {
				t.Errorf("n=%d v=%d: % x -> %d, %d left, %v", n, v, b, got, len(rest), err)
			}
		}
	}
}

// TestIntegerErrors checks RFC 7541 Section 5.1 decoding limits: values
// above 32 bits, overlong encodings, and truncation.
func TestIntegerErrors(t *testing.T) {
	tests := []struct {
		name string
		wire string
		n    uint8
		err  error
	}{
		{"2^32 overflows", "1f e1 ff ff ff 0f", 5, ErrIntegerOverflow},
		{"MaxUint32 fits", "1f e0 ff ff ff 0f", 5, nil},
		{"huge value", "ff ff ff ff ff 7f", 8, ErrIntegerOverflow},
		{"five zero continuation bytes are accepted", "1f 80 80 80 80 00", 5, nil},
		{"six continuation bytes are overlong", "1f 80 80 80 80 80 00", 5, ErrIntegerOverflow},
		{"truncated after prefix", "1f", 5, ErrTruncated},
		{"truncated in continuation", "1f 9a", 5, ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readVarInt(dehex(t, tc.wire), tc.n)
			if !errors.Is(err, tc.err) {
				t.Errorf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

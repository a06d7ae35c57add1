package bytesconv

import (
	"strconv"
	"testing"
)

func TestAppendUint(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 99, 12345, 1<<62 + 7} {
		if got := string(AppendUint(nil, n)); got != strconv.Itoa(n) {
			t.Errorf("AppendUint(%d) = %q", n, got)
		}
	}
}

func TestAppendHex(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 255, 4096, 1<<40 + 3} {
		if got := string(AppendHex(nil, n)); got != strconv.FormatInt(int64(n), 16) {
			t.Errorf("AppendHex(%d) = %q", n, got)
		}
	}
}

func TestParseUint(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"42", 42, true}, {"007", 7, true},
		{"", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {"1 ", 0, false},
		{"12a", 0, false}, {"99999999999999999999", 0, false}, {"9223372036854775807", 0, false}, {"9227000000000000000", 0, false}, {"4611686018427387904", 1 << 62, true},
	}
	for _, c := range cases {
		n, err := ParseUint([]byte(c.in))
		if (err == nil) != c.ok || (c.ok && n != c.want) {
			t.Errorf("ParseUint(%q) = %d, %v", c.in, n, err)
		}
	}
}

func TestParseHex(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"a", 10, true}, {"FF", 255, true}, {"1000", 4096, true},
		{"", 0, false}, {"g", 0, false}, {"-1", 0, false}, {"1234567890abcdef", 0, false},
	}
	for _, c := range cases {
		n, err := ParseHex([]byte(c.in))
		if (err == nil) != c.ok || (c.ok && n != c.want) {
			t.Errorf("ParseHex(%q) = %d, %v", c.in, n, err)
		}
	}
}

func TestCase(t *testing.T) {
	b := []byte("cONTENT-tYPE")
	CanonicalInPlace(b)
	if string(b) != "Content-Type" {
		t.Errorf("CanonicalInPlace = %q", b)
	}
	LowerInPlace(b)
	if string(b) != "content-type" {
		t.Errorf("LowerInPlace = %q", b)
	}
	if !EqualFold([]byte("HoSt"), "host") || EqualFold([]byte("hosts"), "host") || EqualFold([]byte("hist"), "host") {
		t.Error("EqualFold")
	}
}

func TestB2SS2B(t *testing.T) {
	if B2S([]byte("abc")) != "abc" || string(S2B("xyz")) != "xyz" || B2S(nil) != "" {
		t.Error("conversion")
	}
}

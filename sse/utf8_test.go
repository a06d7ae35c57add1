package sse

import "testing"

func TestDecodeUTF8(t *testing.T) {
	// Cases from the WHATWG Encoding standard's decoder: one U+FFFD per
	// maximal subpart of an ill-formed sequence.
	cases := []struct{ in, want string }{
		{"abc", "abc"},
		{"\x80", "\uFFFD"},
		{"\xC0\x80", "\uFFFD\uFFFD"}, // overlong
		{"\xE0\x80\x80", "\uFFFD\uFFFD\uFFFD"},
		{"\xE0\xA0", "\uFFFD"}, // truncated at the end
		{"\xE2\x82A", "\uFFFDA"},
		{"\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"}, // past U+10FFFF
		{"\xF0\x9F\x8E", "\uFFFD"},
		{"\xF0\x9F\x8E\x89", "🎉"},
		{"a\xFFb\xFEc", "a\uFFFDb\uFFFDc"},
		{"\xC3\xA9\xC3", "é\uFFFD"},
	}
	for _, c := range cases {
		if got := string(decodeUTF8(nil, []byte(c.in))); got != c.want {
			t.Errorf("decodeUTF8(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

package websocket

import (
	"testing"
	"unicode/utf8"
)

var utf8Cases = []struct {
	name string
	s    string
}{
	{"ascii", "Hello-µ@ßöäüàá-UTF-8!!"},
	{"greek", "κόσμε"},
	{"4-byte", "\U0001F600 smile"},
	{"max", "\U0010FFFF"},
	{"U+FFFD literal", "\uFFFD"},
	{"surrogate", "\xed\xa0\x80"},
	{"above max", "\xf4\x90\x80\x80"},
	{"overlong", "\xc0\xaf"},
	{"overlong 3", "\xe0\x80\xaf"},
	{"lone continuation", "a\x80b"},
	{"truncated at end", "abc\xce"},
	{"truncated in middle", "\xe2\x82z"},
	{"f5", "\xf5\x80\x80\x80"},
	{"ff", "\xff"},
	{"Autobahn 6.3.1", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"},
}

// TestUTF8Validator: split at every pair of points, the validator agrees
// with utf8.Valid on the whole, and never accepts a piece that cannot
// lead to valid UTF-8 (fail fast, RFC 6455 section 8.1).
func TestUTF8Validator(t *testing.T) {
	for _, tc := range utf8Cases {
		s := []byte(tc.s)
		want := utf8.Valid(s)
		for i := 0; i <= len(s); i++ {
			for j := i; j <= len(s); j++ {
				var v utf8Validator
				ok := v.write(s[:i]) && v.write(s[i:j]) && v.write(s[j:]) && v.done()
				if ok != want {
					t.Fatalf("%s split at %d,%d: %v, want %v", tc.name, i, j, ok, want)
				}
			}
		}
	}
}

// TestUTF8FailFast: the validator fails at the first piece that cannot
// be completed, before the message ends.
func TestUTF8FailFast(t *testing.T) {
	for _, tc := range []struct {
		name  string
		piece string
	}{
		{"surrogate prefix", "\xed\xa0"},
		{"above max prefix", "\xf4\x90"},
		{"bad lead", "ok\xc1"},
		{"overlong prefix", "\xe0\x80"},
	} {
		var v utf8Validator
		if v.write([]byte(tc.piece)) {
			t.Errorf("%s: accepted %q", tc.name, tc.piece)
		}
	}
}

func FuzzUTF8Validator(f *testing.F) {
	for _, tc := range utf8Cases {
		f.Add([]byte(tc.s), 1)
	}
	f.Fuzz(func(t *testing.T, b []byte, cut int) {
		var v utf8Validator
		if cut < 0 || cut > len(b) {
			cut = len(b) / 2
		}
		ok := v.write(b[:cut]) && v.write(b[cut:]) && v.done()
		if ok != utf8.Valid(b) {
			t.Fatalf("%q cut %d: %v", b, cut, ok)
		}
	})
}

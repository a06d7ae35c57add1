package ascii

import "testing"

func TestTables(t *testing.T) {
	cases := []struct {
		c                    byte
		token, field, target bool
	}{
		{'a', true, true, true},
		{'Z', true, true, true},
		{'0', true, true, true},
		{'-', true, true, true},
		{'!', true, true, true},
		{' ', false, true, false},
		{'\t', false, true, false},
		{':', false, true, true},
		{'/', false, true, true},
		{'"', false, true, false},
		{'|', true, true, false},
		{'\\', false, true, false},
		{'\r', false, false, false},
		{'\n', false, false, false},
		{0, false, false, false},
		{0x7f, false, false, false},
		{0x80, false, true, false},
	}
	for _, c := range cases {
		if IsToken(c.c) != c.token || IsFieldVChar(c.c) != c.field || IsTargetChar(c.c) != c.target {
			t.Errorf("%q: token %v field %v target %v", c.c, IsToken(c.c), IsFieldVChar(c.c), IsTargetChar(c.c))
		}
	}
	if ValidToken(nil) || !ValidToken([]byte("GET")) || ValidToken([]byte("G T")) {
		t.Error("ValidToken")
	}
	if !ValidFieldValue([]byte("a b\tc")) || ValidFieldValue([]byte("a\rb")) {
		t.Error("ValidFieldValue")
	}
}

// TestValidFieldValueWords checks the word-at-a-time path against the
// table for every byte at every position of a 17-byte value.
func TestValidFieldValueWords(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 17; pos++ {
			b := []byte("abcdefghijklmnopq")
			b[pos] = byte(c)
			if got, want := ValidFieldValue(b), IsFieldVChar(byte(c)); got != want {
				t.Fatalf("byte %#x at %d: %v, want %v", c, pos, got, want)
			}
		}
	}
}

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

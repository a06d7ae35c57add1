// Package ascii holds the character-class tables of the HTTP grammar
// (RFC 9110 section 5.6.2 tokens, field values, URI characters), shared by
// volt's HTTP/1.1 parser and, later, HTTP/2.
package ascii

import "encoding/binary"

// IsToken reports whether c is a tchar (RFC 9110 section 5.6.2):
// "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" /
// "`" / "|" / "~" / DIGIT / ALPHA.
func IsToken(c byte) bool { return tokenTable[c] }

// IsFieldVChar reports whether c may appear inside a field value
// (RFC 9110 section 5.5): VCHAR, obs-text, SP or HTAB. CR, LF, NUL and the
// other controls may not.
func IsFieldVChar(c byte) bool { return fieldTable[c] }

// IsTargetChar reports whether c may appear in a request-target
// (RFC 3986 unreserved, reserved, '%' as pct-encoded). Controls, SP,
// '"', '<', '>', '\\', '^', '`', '{', '|', '}' and bytes >= 0x80 may not.
func IsTargetChar(c byte) bool { return targetTable[c] }

// ValidToken reports whether b is a non-empty token.
func ValidToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenTable[c] {
			return false
		}
	}
	return true
}

// ValidFieldValue reports whether every byte of b may appear in a field
// value. It checks eight bytes at a time: a word without a byte below
// 0x20 or equal to 0x7f passes at once; HTAB and the rest are checked
// bytewise.
func ValidFieldValue(b []byte) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		// A byte below 0x20: (w - 0x20..) borrows into its high bit while
		// the byte's own high bit is clear. A 0x7f byte: w ^ 0x7f.. has a
		// zero there, found the same way with 1.
		lo := (w - 0x20*ones) &^ w & highs
		x := w ^ 0x7f*ones
		del := (x - ones) &^ x & highs
		if lo|del != 0 {
			for _, c := range b[:8] {
				if !fieldTable[c] {
					return false
				}
			}
		}
		b = b[8:]
	}
	for _, c := range b {
		if !fieldTable[c] {
			return false
		}
	}
	return true
}

var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()

var fieldTable = func() (t [256]bool) {
	for c := 0x21; c <= 0x7e; c++ {
		t[c] = true
	}
	for c := 0x80; c <= 0xff; c++ {
		t[c] = true
	}
	t[' '] = true
	t['\t'] = true
	return
}()

var targetTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-._~:/?#[]@!$&'()*+,;=%" {
		t[c] = true
	}
	return
}()

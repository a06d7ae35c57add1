package sse

import "unicode/utf8"

// validUTF8 reports whether b is valid UTF-8. Go's notion of valid (no
// surrogates, no overlong forms, nothing past U+10FFFF) is the WHATWG
// decoder's, so valid input decodes to itself.
func validUTF8(b []byte) bool { return utf8.Valid(b) }

// decodeUTF8 appends b to dst as the WHATWG Encoding standard's UTF-8
// decoder reads it: each maximal subpart of an invalid sequence becomes
// one U+FFFD, and the byte that broke a sequence is read again. (Go's
// utf8.DecodeRune differs: it replaces one byte at a time.)
//
// See https://encoding.spec.whatwg.org/#utf-8-decoder
func decodeUTF8(dst, b []byte) []byte {
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	const repl = "\uFFFD"
	var (
		needed, seen int
		lower, upper byte = 0x80, 0xBF
		start        int  // where the sequence being read began
	)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if needed == 0 {
			switch {
			case c <= 0x7F:
				dst = append(dst, c)
			case c >= 0xC2 && c <= 0xDF:
				needed = 1
			case c >= 0xE0 && c <= 0xEF:
				if c == 0xE0 {
					lower = 0xA0
				} else if c == 0xED {
					upper = 0x9F
				}
				needed = 2
			case c >= 0xF0 && c <= 0xF4:
				if c == 0xF0 {
					lower = 0x90
				} else if c == 0xF4 {
					upper = 0x8F
				}
				needed = 3
			default:
				dst = append(dst, repl...)
			}
			start = i
			continue
		}
		if c < lower || c > upper {
			needed, seen, lower, upper = 0, 0, 0x80, 0xBF
			dst = append(dst, repl...)
			i-- // read c again
			continue
		}
		lower, upper = 0x80, 0xBF
		seen++
		if seen == needed {
			dst = append(dst, b[start:i+1]...)
			needed, seen = 0, 0
		}
	}
	if needed != 0 {
		dst = append(dst, repl...)
	}
	return dst
}

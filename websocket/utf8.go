package websocket

import "unicode/utf8"

// utf8Validator checks that a text message is valid UTF-8 as its payload
// arrives in pieces (fragments, or reads through NextReader). It fails as
// soon as the bytes seen cannot start valid UTF-8, so that a connection
// is failed fast (RFC 6455 section 8.1), not at the end of the message.
type utf8Validator struct {
	pend [4]byte // an incomplete rune carried to the next piece
	n    int     // 0 <= n <= 3
}

func (v *utf8Validator) reset() { v.n = 0 }

// done reports whether the bytes seen so far end on a rune boundary: it
// must be true at the end of a message.
func (v *utf8Validator) done() bool { return v.n == 0 }

// write validates the next piece p of the message.
func (v *utf8Validator) write(p []byte) bool {
	if v.n > 0 {
		// Complete the carried rune with the first bytes of p.
		for len(p) > 0 && v.n < 4 {
			v.pend[v.n] = p[0]
			v.n++
			p = p[1:]
			if utf8.FullRune(v.pend[:v.n]) {
				break
			}
		}
		if !utf8.FullRune(v.pend[:v.n]) {
			return validPrefix(v.pend[:v.n])
		}
		r, size := utf8.DecodeRune(v.pend[:v.n])
		if r == utf8.RuneError && size <= 1 || size != v.n {
			return false
		}
		v.n = 0
	}
	// Split off an incomplete rune at the end of p.
	tail := incompleteTail(p)
	if !utf8.Valid(p[:len(p)-tail]) {
		return false
	}
	if tail > 0 {
		v.n = copy(v.pend[:], p[len(p)-tail:])
		return validPrefix(v.pend[:v.n])
	}
	return true
}

// incompleteTail returns the length of the incomplete rune at the end of
// p (0 to 3 bytes): the bytes from the last lead byte when that rune needs
// more bytes than p has left.
func incompleteTail(p []byte) int {
	for i := 1; i <= 3 && i <= len(p); i++ {
		c := p[len(p)-i]
		if c < 0x80 {
			return 0 // ASCII: complete
		}
		if c >= 0xc0 { // a lead byte
			if need := utf8SeqLen(c); need > i {
				return i
			}
			return 0
		}
	}
	return 0
}

// utf8SeqLen returns the length of the sequence a lead byte starts (0 for
// bytes that cannot lead).
func utf8SeqLen(c byte) int {
	switch {
	case c < 0x80:
		return 1
	case c >= 0xc2 && c <= 0xdf:
		return 2
	case c >= 0xe0 && c <= 0xef:
		return 3
	case c >= 0xf0 && c <= 0xf4:
		return 4
	}
	return 0
}

// validPrefix reports whether p (shorter than its sequence) can still
// become a valid rune (RFC 3629 section 4 ranges).
func validPrefix(p []byte) bool {
	need := utf8SeqLen(p[0])
	if need < 2 || len(p) >= need {
		return false
	}
	if len(p) > 1 {
		lo, hi := byte(0x80), byte(0xbf)
		switch p[0] {
		case 0xe0:
			lo = 0xa0
		case 0xed:
			hi = 0x9f
		case 0xf0:
			lo = 0x90
		case 0xf4:
			hi = 0x8f
		}
		if p[1] < lo || p[1] > hi {
			return false
		}
	}
	for i := 2; i < len(p); i++ {
		if p[i] < 0x80 || p[i] > 0xbf {
			return false
		}
	}
	return true
}

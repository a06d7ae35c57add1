package hpack

import "math"

// See https://httpwg.org/specs/rfc7541.html#integer.representation

// maxVarIntContinuation is the most continuation bytes an integer may use:
// five carry 35 bits, enough for any 32-bit value whatever the prefix.
const maxVarIntContinuation = 5

// appendVarInt appends v as an HPACK integer with an n-bit prefix (1 <= n
// <= 8). first holds the representation's flag bits above the prefix.
func appendVarInt(dst []byte, n uint8, first byte, v uint64) []byte {
	max := uint64(1)<<n - 1
	if v < max {
		return append(dst, first|byte(v))
	}
	dst = append(dst, first|byte(max))
	v -= max
	for v >= 0x80 {
		dst = append(dst, byte(v)|0x80)
		v >>= 7
	}
	return append(dst, byte(v))
}

// readVarInt reads an HPACK integer with an n-bit prefix from the start of
// p (len(p) > 0) and returns it and the rest of p. Values above
// math.MaxUint32, and encodings longer than maxVarIntContinuation
// continuation bytes, give ErrIntegerOverflow.
func readVarInt(p []byte, n uint8) (uint64, []byte, error) {
	max := uint64(1)<<n - 1
	v := uint64(p[0]) & max
	if v < max {
		return v, p[1:], nil
	}
	var shift uint
	for i := 1; ; i++ {
		if i > maxVarIntContinuation {
			return 0, p, ErrIntegerOverflow
		}
		if i >= len(p) {
			return 0, p, ErrTruncated
		}
		b := p[i]
		v += uint64(b&0x7f) << shift // at most 35+8 bits: no overflow
		if v > math.MaxUint32 {
			return 0, p, ErrIntegerOverflow
		}
		if b&0x80 == 0 {
			return v, p[i+1:], nil
		}
		shift += 7
	}
}

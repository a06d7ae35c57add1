package fastcgi

import "github.com/volthttp/volt/internal/bytesconv"

// Name-value pairs (FastCGI 1.0 section 3.4): each length is one byte
// when below 128, else four bytes, big-endian, with the high bit set.

const (
	// maxPairLen is the longest name or value a pair can carry.
	maxPairLen = 1<<31 - 1
	// MaxParamsSize bounds the encoded PARAMS stream of one request.
	MaxParamsSize = 1 << 20
)

func appendPairLen(dst []byte, n int) []byte {
	if n < 128 {
		return append(dst, byte(n))
	}
	return append(dst, byte(n>>24)|0x80, byte(n>>16), byte(n>>8), byte(n))
}

// appendPair appends the pair name=value. It returns dst unchanged and
// ErrParamTooLong if a length does not fit, or if the stream would grow
// past MaxParamsSize.
func appendPair(dst, name, value []byte) ([]byte, error) {
	if len(name) > maxPairLen || len(value) > maxPairLen || len(dst)+8+len(name)+len(value) > MaxParamsSize {
		return dst, ErrParamTooLong
	}
	dst = appendPairLen(dst, len(name))
	dst = appendPairLen(dst, len(value))
	dst = append(dst, name...)
	return append(dst, value...), nil
}

// appendParam is appendPair with a string name.
func appendParam(dst []byte, name string, value []byte) ([]byte, error) {
	return appendPair(dst, bytesconv.S2B(name), value)
}

// appendParamString is appendParam with a string value.
func appendParamString(dst []byte, name, value string) ([]byte, error) {
	return appendParam(dst, name, bytesconv.S2B(value))
}

// readPairLen reads one length from b.
func readPairLen(b []byte) (n, size int, err error) {
	if len(b) == 0 {
		return 0, 0, ErrParamLength
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, nil
	}
	if len(b) < 4 {
		return 0, 0, ErrParamLength
	}
	return int(b[0]&0x7f)<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3]), 4, nil
}

// parsePairs calls f for each pair of a whole PARAMS stream b. The
// slices point into b.
func parsePairs(b []byte, f func(name, value []byte)) error {
	for len(b) > 0 {
		nl, s1, err := readPairLen(b)
		if err != nil {
			return err
		}
		vl, s2, err := readPairLen(b[s1:])
		if err != nil {
			return err
		}
		b = b[s1+s2:]
		if nl > len(b) || vl > len(b)-nl {
			return ErrParamLength
		}
		f(b[:nl], b[nl:nl+vl])
		b = b[nl+vl:]
	}
	return nil
}

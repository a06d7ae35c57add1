package proxyproto

// ParseHeader parses the PROXY protocol header (version 1 or 2) at the
// start of b and returns it with its length in bytes; the data after the
// header is b[n:]. The TLV values of h point into b.
//
// It returns ErrNoHeader when b does not start with a signature,
// ErrTruncated when b holds only the beginning of a header,
// ErrHeaderTooLong for a version 1 line without CRLF in its first 107
// bytes, ErrBadChecksum for a CRC32C TLV that does not match, and a
// *ParseError (wrapping ErrInvalidHeader) for any other malformed header.
func ParseHeader(b []byte) (h Header, n int, err error) {
	switch sniff(b) {
	case sniffV1:
		return parseV1(b)
	case sniffV2:
		return parseV2(b)
	case sniffMore:
		return Header{}, 0, ErrTruncated
	}
	return Header{}, 0, ErrNoHeader
}

// sniff results.
const (
	sniffNone = iota // not a header
	sniffMore        // a prefix of a signature: more bytes decide
	sniffV1
	sniffV2
)

// sniff tells from the first bytes of b which version of header it
// starts with, if any.
func sniff(b []byte) int {
	if len(b) >= len(v2Sig) {
		if string(b[:len(v2Sig)]) == v2Sig {
			return sniffV2
		}
	} else if string(b) == v2Sig[:len(b)] {
		return sniffMore
	}
	if len(b) >= len(v1Sig) {
		if string(b[:len(v1Sig)]) == v1Sig {
			return sniffV1
		}
	} else if string(b) == v1Sig[:len(b)] {
		return sniffMore
	}
	return sniffNone
}

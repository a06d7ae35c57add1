package proxyproto

import (
	"encoding/binary"
	"io"
	"net"
)

// readBufSize is the initial size of the buffer a header is read into;
// it holds any version 1 line and most version 2 headers.
const readBufSize = 256

// readHeader reads the header a connection starts with, without reading
// past it, under the deadline the caller set. It returns the header, or
// nil (with optional) when the connection does not start with one; and
// the bytes it read that are not part of a header (only with optional,
// on connections it cannot peek at). maxLen bounds a version 2 header.
func readHeader(c net.Conn, maxLen int, optional bool) (*Header, []byte, error) {
	if p := newPeeker(c); p != nil {
		h, err := peekHeader(c, p, maxLen, optional)
		return h, nil, err
	}
	return readHeaderBytes(c, maxLen, optional)
}

// peekHeader looks at the bytes waiting on the socket to find the
// header's length, then reads exactly that.
func peekHeader(c net.Conn, p *peeker, maxLen int, optional bool) (*Header, error) {
	b := make([]byte, readBufSize)
	have := 0
	for {
		n, err := p.peek(b[:maxV1Len+1], have)
		if err != nil {
			return nil, err
		}
		have = n
		switch sniff(b[:n]) {
		case sniffNone:
			if optional {
				return nil, nil
			}
			return nil, ErrNoHeader
		case sniffV1:
			_, hn, err := parseV1(b[:n])
			if err == ErrTruncated {
				continue
			}
			if err != nil {
				return nil, err
			}
			return readExact(c, b[:0], hn)
		case sniffV2:
			if n < v2HeadLen {
				continue
			}
			hn := v2HeadLen + int(binary.BigEndian.Uint16(b[14:16]))
			if hn > maxLen {
				return nil, ErrHeaderTooLong
			}
			return readExact(c, b[:0], hn)
		}
		// sniffMore: wait for more bytes.
	}
}

// readExact reads exactly n bytes into b (growing it as they arrive) and
// parses them as a header.
func readExact(c net.Conn, b []byte, n int) (*Header, error) {
	b, err := readMore(c, b, n)
	if err != nil {
		return nil, err
	}
	h, _, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// readMore appends exactly n more bytes from c to b. The buffer grows
// with the bytes that arrive, never by n at once.
func readMore(c net.Conn, b []byte, n int) ([]byte, error) {
	want := len(b) + n
	for len(b) < want {
		if len(b) == cap(b) {
			nb := make([]byte, len(b), min(want, max(2*cap(b), readBufSize)))
			copy(nb, b)
			b = nb
		}
		m, err := c.Read(b[len(b):min(cap(b), want)])
		b = b[:len(b)+m]
		if err != nil {
			if err == io.EOF && len(b) < want {
				err = io.ErrUnexpectedEOF
			}
			if len(b) < want {
				return b, err
			}
		}
	}
	return b, nil
}

// readHeaderBytes reads a header from a connection it cannot peek at:
// the fewest bytes that can be part of a header at each step (one at a
// time for the end of a version 1 line, and, with optional, until the
// first bytes decide).
func readHeaderBytes(c net.Conn, maxLen int, optional bool) (*Header, []byte, error) {
	b := make([]byte, 0, readBufSize)
	var err error
	for {
		step := 1
		switch sniff(b) {
		case sniffNone:
			if optional {
				return nil, b, nil
			}
			return nil, nil, ErrNoHeader
		case sniffMore:
			if !optional {
				// A header is at least minV1Len bytes, a version 2 one
				// at least v2HeadLen.
				step = minV1Len - len(b)
				if len(b) > 0 && b[0] == v2Sig[0] {
					step = v2HeadLen - len(b)
				}
			}
		case sniffV1:
			_, hn, perr := parseV1(b)
			if perr == nil {
				h, _, _ := ParseHeader(b[:hn])
				return &h, nil, nil
			}
			if perr != ErrTruncated {
				return nil, nil, perr
			}
			if len(b) < minV1Len {
				step = minV1Len - len(b)
			}
		case sniffV2:
			if len(b) < v2HeadLen {
				step = v2HeadLen - len(b)
				break
			}
			hn := v2HeadLen + int(binary.BigEndian.Uint16(b[14:16]))
			if hn > maxLen {
				return nil, nil, ErrHeaderTooLong
			}
			h, err := readExact(c, b, hn-len(b))
			return h, nil, err
		}
		if b, err = readMore(c, b, step); err != nil {
			return nil, nil, err
		}
	}
}

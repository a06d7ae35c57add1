package volt

import (
	"bytes"
	"errors"
	"io"
	"math"

	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

var errBufferFull = errors.New("volt: buffer full")

// maxChunkLineLength bounds a chunk-size line with its extensions.
const maxChunkLineLength = 4096

// chunkedReader decodes a chunked body (RFC 9112 section 7.1) from a
// connReader, and reads the trailer section into trailers.
type chunkedReader struct {
	br       *connReader
	o        *parseOptions
	trailers *fieldList
	left     int64 // bytes left in the current chunk
	state    uint8
	err      error
	tbuf     []byte // owned copy of the trailer section

	// With limited set, budget is what is left of the body limit: chunk
	// data is charged in full and framing beyond freeChunkFraming bytes
	// per chunk (extensions, trailers), so that a body of tiny chunks with
	// long extensions cannot make the server read far past the limit.
	limited bool
	budget  int64
}

// freeChunkFraming is the length of a chunk-size line that is not charged
// against the body limit: 16 hex digits, the most a size may have.
const freeChunkFraming = 16

const (
	chunkHeader = iota // expecting a chunk-size line
	chunkData          // inside chunk-data
	chunkEnd           // expecting the CRLF after chunk-data
	chunkDone          // the body and its trailers were read
)

func (c *chunkedReader) reset(br *connReader, o *parseOptions, trailers *fieldList) {
	c.br, c.o, c.trailers = br, o, trailers
	c.left, c.state, c.err = 0, chunkHeader, nil
	c.limited, c.budget = false, 0
}

// setLimit makes the body fail with ErrBodyTooLarge once its data and
// charged framing pass limit bytes; limit < 0 means no limit.
func (c *chunkedReader) setLimit(limit int64) {
	c.limited, c.budget = limit >= 0, limit
}

// charge takes n bytes from the budget of a limited body.
func (c *chunkedReader) charge(n int64) error {
	if !c.limited {
		return nil
	}
	if n > c.budget {
		c.budget = -1
		return ErrBodyTooLarge
	}
	c.budget -= n
	return nil
}

// Read implements io.Reader over the decoded body.
func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.err == nil {
		switch c.state {
		case chunkHeader:
			c.err = c.readChunkHeader()
		case chunkData:
			if len(p) == 0 {
				return 0, nil
			}
			q := p
			if int64(len(q)) > c.left {
				q = q[:c.left]
			}
			n, err := c.br.Read(q)
			c.left -= int64(n)
			if c.left == 0 {
				c.state = chunkEnd
			}
			if err != nil {
				if err == io.EOF {
					err = ErrUnexpectedEOF
				}
				c.err = err
			}
			if n > 0 {
				return n, nil
			}
		case chunkEnd:
			c.err = c.readCRLF()
		case chunkDone:
			return 0, io.EOF
		}
	}
	return 0, c.err
}

// line returns the next line in the buffer (without its end), reading more
// as needed, and consumes it.
func (c *chunkedReader) line(max int) ([]byte, error) {
	for {
		b := c.br.buffered()
		// Look for the LF in the first max bytes only: the limit holds
		// however much the buffer already has.
		if i := bytes.IndexByte(b[:min(len(b), max)], '\n'); i >= 0 {
			end := i
			if end > 0 && b[end-1] == '\r' {
				end--
			} else if !c.o.allowBareLF {
				return nil, ErrBadChunk
			}
			c.br.discard(i + 1)
			return b[:end], nil
		}
		if len(b) >= max {
			return nil, ErrBadChunk
		}
		if err := c.br.fill(max + len(c.br.buf)); err != nil {
			if err == io.EOF {
				return nil, ErrUnexpectedEOF
			}
			return nil, err
		}
	}
}

func (c *chunkedReader) readCRLF() error {
	l, err := c.line(2)
	if err != nil {
		return err
	}
	if len(l) != 0 {
		return ErrBadChunk
	}
	c.state = chunkHeader
	return nil
}

// readChunkHeader parses chunk-size [ chunk-ext ] CRLF.
func (c *chunkedReader) readChunkHeader() error {
	l, err := c.line(maxChunkLineLength)
	if err != nil {
		return err
	}
	i := 0
	for i < len(l) && bytesconv.HexValue[l[i]] != 0xff {
		i++
	}
	size, err := bytesconv.ParseHex(l[:i])
	if err != nil {
		return ErrBadChunk
	}
	if !validChunkExt(l[i:]) {
		return ErrBadChunk
	}
	if err := c.charge(int64(max(len(l)-freeChunkFraming, 0))); err != nil {
		return err
	}
	if size == 0 {
		return c.readTrailers()
	}
	if err := c.charge(size); err != nil {
		return err
	}
	c.left = size
	c.state = chunkData
	return nil
}

// validChunkExt checks *( BWS ";" BWS chunk-ext-name
// [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 section 7.1.1).
func validChunkExt(b []byte) bool {
	// BWS comes only before ";" and "=": whitespace may not end the line
	// ("a " is not a chunk-size line), and no valid extension ends with it.
	if len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		return false
	}
	skipWS := func() {
		for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
			b = b[1:]
		}
	}
	token := func() bool {
		n := 0
		for n < len(b) && ascii.IsToken(b[n]) {
			n++
		}
		b = b[n:]
		return n > 0
	}
	quotedString := func() bool {
		for i := 1; i < len(b); i++ {
			switch c := b[i]; {
			case c == '"':
				b = b[i+1:]
				return true
			case c == '\\':
				i++
				if i == len(b) || !ascii.IsFieldVChar(b[i]) {
					return false
				}
			case !ascii.IsFieldVChar(c):
				return false
			}
		}
		return false
	}
	for {
		skipWS()
		if len(b) == 0 {
			return true
		}
		if b[0] != ';' {
			return false
		}
		b = b[1:]
		skipWS()
		if !token() {
			return false
		}
		skipWS()
		if len(b) == 0 || b[0] != '=' {
			continue
		}
		b = b[1:]
		skipWS()
		if len(b) > 0 && b[0] == '"' {
			if !quotedString() {
				return false
			}
			continue
		}
		if !token() {
			return false
		}
	}
}

// readTrailers reads the trailer section after the last chunk and copies
// the fields, since the read buffer moves on.
func (c *chunkedReader) readTrailers() error {
	max := c.o.maxHeaderBytes
	end, scanned := -1, 0
	for {
		b := c.br.buffered()
		switch {
		case len(b) >= 2 && b[0] == '\r' && b[1] == '\n':
			end = 2
		case len(b) >= 1 && b[0] == '\n' && c.o.allowBareLF:
			end = 1
		default:
			end = findHeadEnd(b, scanned)
		}
		if end >= 0 {
			break
		}
		scanned = len(b)
		if len(b) >= max {
			return ErrHeaderTooLarge
		}
		if err := c.br.fill(max); err != nil {
			if err == io.EOF {
				return ErrUnexpectedEOF
			}
			if err == errBufferFull {
				return ErrHeaderTooLarge
			}
			return err
		}
	}
	if end > max {
		// The limit holds however much the buffer already has.
		return ErrHeaderTooLarge
	}
	// The empty line that ends the section is free.
	if err := c.charge(int64(end - min(end, 2))); err != nil {
		return err
	}
	// Copy the trailer section (only it: the bytes after it may be a large
	// pipelined request), so that the fields outlive the read buffer.
	c.tbuf = append(c.tbuf[:0], c.br.buffered()[:end]...)
	start := len(c.trailers.fields)
	n, err := parseFields(c.trailers, c.tbuf, 0, c.o, noteNothing)
	if err != nil {
		if err == errNeedMore {
			return ErrBadChunk
		}
		return err
	}
	if len(c.trailers.fields)-start > c.o.maxHeaderCount {
		return ErrTooManyHeaders
	}
	c.trailers.own()
	c.br.discard(n)
	c.state = chunkDone
	return nil
}

func noteNothing(*headerField) error { return nil }

// appendChunk appends p as one chunk to dst.
func appendChunk(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	dst = bytesconv.AppendHex(dst, len(p))
	dst = append(dst, '\r', '\n')
	dst = append(dst, p...)
	return append(dst, '\r', '\n')
}

// appendLastChunk appends the last chunk and the trailer section to dst.
func appendLastChunk(dst []byte, trailers *fieldList) []byte {
	dst = append(dst, '0', '\r', '\n')
	if trailers != nil {
		dst = trailers.appendFields(dst)
	}
	return append(dst, '\r', '\n')
}

// growBody returns b with more room for a body, on the server and the
// client alike: double its capacity (initial bytes at first), but no more
// than the announced length cl (if known, >= 0) and one byte past limit
// (if any: 0 <= limit < MaxInt64), which is enough to see that the body is
// too large. The announced length only caps the growth; it never sizes
// the buffer before the bytes arrive (DESIGN.md, safety rule 2).
func growBody(b []byte, cl, limit int64, initial int) []byte {
	size := int64(max(2*cap(b), initial, 512))
	if cl >= 0 && size > cl {
		size = cl
	}
	if limit >= 0 && limit < math.MaxInt64 && size > limit+1 {
		size = limit + 1
	}
	if size <= int64(cap(b)) {
		size = int64(cap(b)) + 1
	}
	nb := make([]byte, len(b), size)
	copy(nb, b)
	return nb
}

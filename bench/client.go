package bench

import (
	"bytes"
	"errors"
	"io"
)

// ResponseReader reads HTTP/1.1 responses framed by Content-Length from a
// connection, without allocating once its buffer is large enough. It is
// the client side of the serve benchmarks and of idlemem: deliberately
// minimal, so that the client costs little and the same for every server.
type ResponseReader struct {
	src io.Reader
	// Invariant: 0 <= r <= w <= len(buf); buf[r:w] is read and not consumed.
	buf  []byte
	r, w int
}

// Errors of ResponseReader.
var (
	ErrMalformedResponse = errors.New("bench: malformed response")
	ErrUnsupportedFrame  = errors.New("bench: response without Content-Length")
)

// NewResponseReader returns a reader of responses from src with a buffer of
// size bytes (it grows if a response does not fit).
func NewResponseReader(src io.Reader, size int) *ResponseReader {
	return &ResponseReader{src: src, buf: make([]byte, size)}
}

// Reset makes rr read from src, dropping anything buffered; the buffer is
// kept.
func (rr *ResponseReader) Reset(src io.Reader) {
	rr.src, rr.r, rr.w = src, 0, 0
}

// Response is a response read by ResponseReader.
type Response struct {
	Status int
	// Head is the status line and header fields, through the empty line.
	Head []byte
	Body []byte
}

// Header returns the value of the first header field named name (case
// insensitive), or nil.
func (r *Response) Header(name string) []byte {
	head := r.Head
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if len(line) > len(name) && line[len(name)] == ':' && bytes.EqualFold(line[:len(name)], []byte(name)) {
			return bytes.TrimSpace(line[len(name)+1:])
		}
	}
	return nil
}

// Next reads the next response.
// The returned Head and Body are valid until the next call to Next; copy
// them to keep them.
func (rr *ResponseReader) Next() (resp Response, err error) {
	headLen, total := -1, -1
	status := 0
	for {
		if headLen < 0 {
			if i := bytes.Index(rr.buf[rr.r:rr.w], crlfcrlf); i >= 0 {
				headLen = i + 4
				head := rr.buf[rr.r : rr.r+headLen]
				if status, err = parseStatus(head); err != nil {
					return Response{}, err
				}
				n, err := contentLength(head)
				if err != nil {
					return Response{}, err
				}
				total = headLen + n
			}
		}
		if total >= 0 && rr.w-rr.r >= total {
			resp = Response{
				Status: status,
				Head:   rr.buf[rr.r : rr.r+headLen],
				Body:   rr.buf[rr.r+headLen : rr.r+total],
			}
			rr.r += total
			if rr.r == rr.w {
				rr.r, rr.w = 0, 0
			}
			return resp, nil
		}
		if err := rr.fill(total); err != nil {
			return Response{}, err
		}
	}
}

var crlfcrlf = []byte("\r\n\r\n")

// fill reads more bytes, making room for a response of want bytes (or
// doubling the buffer when want is unknown and the buffer is full).
func (rr *ResponseReader) fill(want int) error {
	if rr.r > 0 && rr.w == len(rr.buf) || want > len(rr.buf)-rr.r {
		rr.w = copy(rr.buf, rr.buf[rr.r:rr.w])
		rr.r = 0
	}
	if rr.w == len(rr.buf) || want > len(rr.buf) {
		nb := make([]byte, max(2*len(rr.buf), want))
		copy(nb, rr.buf[:rr.w])
		rr.buf = nb
	}
	n, err := rr.src.Read(rr.buf[rr.w:])
	rr.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if err == io.EOF && rr.w > rr.r {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// parseStatus parses "HTTP/1.x NNN ...".
func parseStatus(head []byte) (int, error) {
	if len(head) < 12 || string(head[:7]) != "HTTP/1." || head[8] != ' ' {
		return 0, ErrMalformedResponse
	}
	code := 0
	for _, c := range head[9:12] {
		if c < '0' || c > '9' {
			return 0, ErrMalformedResponse
		}
		code = code*10 + int(c-'0')
	}
	return code, nil
}

// contentLength returns the Content-Length of a response head. A head with
// neither Content-Length nor Transfer-Encoding has no body only for 1xx,
// 204 and 304, which the benchmarks never get, so it is an error.
func contentLength(head []byte) (int, error) {
	const name = "content-length:"
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if len(line) <= len(name) || !bytes.EqualFold(line[:len(name)], []byte(name)) {
			continue
		}
		v := bytes.TrimSpace(line[len(name):])
		if len(v) == 0 {
			return 0, ErrMalformedResponse
		}
		n := 0
		for _, c := range v {
			if c < '0' || c > '9' {
				return 0, ErrMalformedResponse
			}
			n = n*10 + int(c-'0')
		}
		return n, nil
	}
	return 0, ErrUnsupportedFrame
}

package volt

import (
	"io"
	"time"
)

// readBody consumes the head (n bytes) and reads the request body as the
// server is configured: a view of the read buffer when the whole body is
// there already, a copy into the Request otherwise, or a stream for the
// handler (Server.StreamRequestBody).
func (c *http1Conn) readBody(ctx *RequestCtx, n int) error {
	s := c.srv
	req := &ctx.Request
	h := &req.Header
	limit := s.maxBodySize() // < 0: no limit
	cl := h.contentLength
	c.chunkedIn = false
	if !h.chunked && cl <= 0 {
		c.br.discard(n)
		return nil
	}
	if limit >= 0 && cl > limit {
		c.br.discard(n)
		return ErrBodyTooLarge
	}
	buf := c.br.buffered()
	if !h.chunked && int64(len(buf)-n) >= cl {
		// Fast path: the whole body is buffered already.
		req.body = buf[n : n+int(cl) : n+int(cl)]
		c.br.discard(n + int(cl))
		return nil
	}
	if c.held {
		return errLeaveHeld // the usual loop reads the body
	}
	// The body needs more reads: the head must not stay a view of a buffer
	// that reading moves, so it is copied first.
	h.detach()
	c.br.discard(n)
	if h.expectContinue && !h.http10 {
		if s.ContinueHandler != nil && !s.ContinueHandler(h) {
			return errExpectationFailed
		}
		if len(c.br.buffered()) == 0 {
			c.wbuf = append(c.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
		}
	}
	// Responses to pipelined requests go out before the server waits for
	// this body.
	if err := c.flush(); err != nil {
		return err
	}
	c.startBodyDeadlines()
	var src io.Reader
	if h.chunked {
		c.chunkedIn = true
		c.bodyStream.reset(&c.br, &s.opts, &h.trailers)
		c.bodyStream.setLimit(limit)
		src = &c.bodyStream
	} else {
		c.bodyLimited = limitedBody{r: &c.br, left: cl}
		src = &c.bodyLimited
	}
	if s.StreamRequestBody {
		c.streaming = true
		req.stream = src
		req.bodyLimit = limit
		return nil
	}
	if h.chunked {
		cl = -1 // unknown
	}
	err := readAllLimited(req, src, limit, cl, orInt(s.ReadBufferSize, DefaultReadBufferSize))
	c.br.stopBodyDeadlines()
	return err
}

// startBodyDeadlines arms the read deadlines of a body: ReadTimeout from
// the first byte of the request, and, per read, MinBodyRate and the body
// idle timeout.
func (c *http1Conn) startBodyDeadlines() {
	s := c.srv
	var dl time.Time
	if s.ReadTimeout > 0 {
		dl = c.reqStart.Add(s.ReadTimeout)
	}
	_ = c.setReadDeadline(dl)
	c.br.startBody(time.Now(), int64(max(s.MinBodyRate, 0)), s.bodyIdleTimeout(), dl)
}

// readAllLimited reads src into req's own body buffer, failing with
// ErrBodyTooLarge past limit (< 0: no limit). cl is the announced
// Content-Length (< 0 when chunked): the buffer never grows past it, but
// it is only a promise, so the buffer starts at initial bytes at most and
// doubles as data arrives.
func readAllLimited(req *Request, src io.Reader, limit, cl int64, initial int) error {
	b := req.bodyBuf[:0]
	for {
		if len(b) == cap(b) {
			if cl >= 0 && int64(len(b)) >= cl {
				break // the whole Content-Length was read
			}
			b = growBody(b, cl, limit, initial)
		}
		n, err := src.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if limit >= 0 && int64(len(b)) > limit {
			req.bodyBuf = b[:0]
			return ErrBodyTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			req.bodyBuf = b[:0]
			if err == io.ErrUnexpectedEOF {
				return ErrUnexpectedEOF
			}
			return err
		}
	}
	req.bodyBuf = b
	req.body = b
	return nil
}

// bodyDone reports whether the request body was read to its end by its
// framing: the whole Content-Length, or the last chunk and the trailers.
// Only then may the connection read another request.
func (c *http1Conn) bodyDone() bool {
	if c.chunkedIn {
		return c.bodyStream.state == chunkDone
	}
	return c.bodyLimited.left == 0
}

// drainBody reads what the handler left of a streamed body, so that the
// connection can serve the next request, and reports whether it may. It
// gives up (and the connection closes) past maxDrain bytes, or on any
// error of the body.
func (c *http1Conn) drainBody(ctx *RequestCtx) bool {
	const maxDrain = 256 << 10
	defer c.br.stopBodyDeadlines()
	if c.bodyDone() {
		return true
	}
	if ctx.Request.streamErr != nil {
		return false
	}
	var src io.Reader = &c.bodyLimited
	if c.chunkedIn {
		src = &c.bodyStream
	}
	_, err := io.CopyN(io.Discard, src, maxDrain+1)
	return err == io.EOF && c.bodyDone()
}

// limitedBody reads a body of known length (left bytes) from a reader;
// left < 0 reads to the end of the connection.
type limitedBody struct {
	r    io.Reader
	left int64
	err  error
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if l.left == 0 {
		return 0, io.EOF
	}
	if l.left > 0 && int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	if l.left > 0 {
		l.left -= int64(n)
		if err == io.EOF && l.left > 0 {
			err = ErrUnexpectedEOF
		}
		if l.left == 0 && err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		l.err = err
	}
	return n, err
}

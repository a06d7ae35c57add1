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
	limit := s.maxBodySize()
	cl := h.contentLength
	if !h.chunked && cl <= 0 {
		c.br.discard(n)
		return nil
	}
	if cl > limit {
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
			if err := c.flush(); err != nil {
				return err
			}
		}
	}
	start := time.Now()
	var dl time.Time
	if s.ReadTimeout > 0 {
		dl = c.reqStart.Add(s.ReadTimeout)
	}
	_ = c.conn.SetReadDeadline(dl)
	if s.MinBodyRate > 0 {
		c.br.rate, c.br.rateStart, c.br.rateRead, c.br.maxDL = int64(s.MinBodyRate), start, 0, dl
	}
	var src io.Reader
	if h.chunked {
		c.bodyStream.reset(&c.br, &s.opts, &h.trailers)
		src = &c.bodyStream
	} else {
		c.bodyLimited = limitedBody{r: &c.br, left: cl}
		src = &c.bodyLimited
	}
	if s.StreamRequestBody {
		c.streaming = true
		c.bodyLimited.limitTo(src, limit)
		req.stream = &c.bodyLimited
		req.bodyLimit = limit
		return nil
	}
	err := readAllLimited(req, src, limit, cl)
	c.br.rate = 0
	return err
}

// readAllLimited reads src into req's own body buffer, failing with
// ErrBodyTooLarge past limit.
func readAllLimited(req *Request, src io.Reader, limit, sizeHint int64) error {
	b := req.bodyBuf[:0]
	if sizeHint > 0 && int64(cap(b)) < sizeHint {
		b = make([]byte, 0, sizeHint)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := src.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
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

// drainBody reads what the handler left of a streamed body, so that the
// connection can serve the next request. It gives up (and the connection
// closes) past maxDrain bytes.
func (c *http1Conn) drainBody(ctx *RequestCtx) bool {
	const maxDrain = 256 << 10
	defer func() { c.br.rate = 0 }()
	if ctx.Request.streamRead {
		return ctx.Request.streamErr == nil
	}
	n, err := io.CopyN(io.Discard, &c.bodyLimited, maxDrain+1)
	return err == io.EOF && n <= maxDrain
}

// limitedBody reads a body of known length (left bytes) from a connReader,
// or, once limitTo was called, any body reader with a size limit.
type limitedBody struct {
	r     io.Reader
	left  int64
	limit int64 // bytes allowed through limitTo; 0: no limit
	err   error
}

func (l *limitedBody) limitTo(src io.Reader, limit int64) {
	if lb, ok := src.(*limitedBody); ok && lb == l {
		// Content-Length: the length was checked against the limit.
		return
	}
	*l = limitedBody{r: src, left: -1, limit: limit}
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
		if l.left == 0 && err == nil {
			err = nil
		}
	} else if l.limit > 0 {
		l.limit -= int64(n)
		if l.limit < 0 {
			err = ErrBodyTooLarge
		}
	}
	if err != nil {
		l.err = err
	}
	return n, err
}

package volt

import (
	"bufio"
	"errors"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/volthttp/volt/internal/bytesconv"
)

// appendHead appends the status line and header fields of ctx's response
// to dst. bodyLen is the Content-Length to announce, or -1 for a body of
// unknown length, which is chunked (HTTP/1.1) or delimited by the close
// (HTTP/1.0).
//
// The fields of the response must have passed validForWire (see
// checkHead): appendHead writes them as they are.
//
// A response that may not carry a body (1xx, 204, 304, and 2xx to
// CONNECT, RFC 9110 sections 6.4.1 and 9.3.6) gets neither Content-Length
// nor Transfer-Encoding.
func (c *http1Conn) appendHead(dst []byte, ctx *RequestCtx, bodyLen int64) []byte {
	resp := &ctx.Response
	h := &resp.Header
	code := h.StatusCode()
	dst = appendStatusLine(dst, code)
	if h.fields.index(bytesconv.S2B(HeaderServer)) < 0 {
		dst = appendHeaderFieldString(dst, HeaderServer, c.srv.name)
	}
	if h.fields.index(bytesconv.S2B(HeaderDate)) < 0 {
		dst = append(dst, "Date: "...)
		dst = appendDate(dst, ctx.time)
		dst = append(dst, '\r', '\n')
	}
	c.chunked, c.rawBody, c.left, c.refused = false, false, 0, false
	if c.tunnel(ctx) && ctx.hijack == nil {
		// The client now expects a tunnel, which nothing will serve.
		c.closeAfter = true
	}
	if c.bodyAllowed(ctx) {
		ct := h.ContentType()
		if ct == nil && (bodyLen != 0 || resp.IsBodyStream()) {
			ct = strTextPlain
		}
		if ct != nil {
			dst = appendHeaderFieldString(dst, HeaderContentType, ct)
		}
		switch {
		case bodyLen >= 0 && !h.HasTrailers():
			dst = append(dst, "Content-Length: "...)
			dst = bytesconv.AppendUint(dst, int(bodyLen))
			dst = append(dst, '\r', '\n')
			c.left = bodyLen
		case ctx.Request.Header.http10:
			c.rawBody = true
			c.closeAfter = true
		default:
			dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
			c.chunked = true
		}
	}
	switch {
	case c.closeAfter:
		dst = append(dst, "Connection: close\r\n"...)
	case len(h.connection) > 0:
		dst = appendHeaderFieldString(dst, HeaderConnection, h.connection)
	case ctx.Request.Header.http10:
		dst = append(dst, "Connection: keep-alive\r\n"...)
	}
	if c.chunked && h.HasTrailers() {
		for i := range h.trailers.fields {
			dst = appendHeaderFieldString(dst, HeaderTrailer, h.trailers.fields[i].key)
		}
	}
	dst = h.fields.appendFields(dst)
	return append(dst, '\r', '\n')
}

// finishResponse writes ctx's response, or the rest of it after a Flush.
// Small responses stay in the write buffer; flush writes them.
func (c *http1Conn) finishResponse(ctx *RequestCtx) error {
	resp := &ctx.Response
	if ctx.sent {
		if len(resp.body) > 0 {
			if err := ctx.writeBodyPiece(); err != nil {
				return err
			}
		}
		return c.endBody(resp)
	}
	if !c.checkHead(ctx) {
		return ErrInvalidHeaderField
	}
	switch {
	case resp.streamWriter != nil:
		return c.writeStreamWriter(ctx)
	case resp.bodyStream != nil:
		return c.writeBodyStream(ctx)
	}
	body := resp.body
	bodyLen := int64(len(body))
	if c.headOnly && bodyLen == 0 && resp.Header.contentLength >= 0 {
		bodyLen = resp.Header.contentLength
	}
	if !c.bodyAllowed(ctx) || resp.SkipBody && !c.headOnly {
		body, bodyLen = nil, 0
	}
	c.wbuf = c.appendHead(c.wbuf, ctx, bodyLen)
	if c.headOnly || len(body) == 0 {
		if c.chunked && !c.headOnly {
			c.wbuf = appendLastChunk(c.wbuf, &resp.Header.trailers)
		}
		return c.flushIfFull()
	}
	if c.chunked {
		c.wbuf = appendChunk(c.wbuf, body)
		c.wbuf = appendLastChunk(c.wbuf, &resp.Header.trailers)
		return c.flushIfFull()
	}
	if len(body) > cap(c.wbuf)-len(c.wbuf) && len(body) > orInt(c.srv.WriteBufferSize, DefaultWriteBufferSize) {
		// A large body goes out with the head in one writev, uncopied.
		first := body[:min(len(body), writePiece)]
		c.bufsArr = [2][]byte{c.wbuf, first}
		c.bufs = c.bufsArr[:]
		c.setWriteDeadline()
		_, err := c.bufs.WriteTo(c.conn)
		c.bufs, c.bufsArr = nil, [2][]byte{}
		c.wbuf = c.wbuf[:0]
		if err == nil {
			err = c.writePieces(body[len(first):])
		}
		return err
	}
	c.wbuf = append(c.wbuf, body...)
	return c.flushIfFull()
}

// endBody ends a streamed body: the last chunk and the trailers.
//
// Trailers may change after the head went out, so they are checked again
// here: with an invalid one, the last chunk is not written and the
// connection closes, so that the client sees the body truncated.
func (c *http1Conn) endBody(resp *Response) error {
	if c.chunked && !c.headOnly {
		if !validFieldLines(&resp.Header.trailers) {
			c.srv.logger().Error("volt: invalid response trailer field; body left unterminated",
				"error", ErrInvalidHeaderField, "uri", string(c.ctx.Request.Header.RequestURI()))
			c.closeAfter = true
			_ = c.flush()
			return ErrInvalidHeaderField
		}
		c.wbuf = appendLastChunk(c.wbuf, &resp.Header.trailers)
	} else if c.left > 0 && !c.headOnly {
		// The handler set a Content-Length and wrote less: the response is
		// broken, and the connection must close.
		c.closeAfter = true
	}
	return c.flush()
}

func (c *http1Conn) flushIfFull() error {
	if len(c.wbuf) >= orInt(c.srv.WriteBufferSize, DefaultWriteBufferSize) || len(c.br.buffered()) == 0 {
		return c.flush()
	}
	return nil
}

func (c *http1Conn) setWriteDeadline() {
	if d := c.srv.writeTimeout(); d > 0 {
		_ = c.conn.SetWriteDeadline(time.Now().Add(d))
	}
}

// flush writes the pending output in one write.
func (c *http1Conn) flush() error {
	if len(c.wbuf) == 0 {
		return nil
	}
	p := c.wbuf
	// From the held wait, straight to the socket; what it does not take
	// goes the usual way.
	p = p[c.raw.writeDirect(p):]
	var err error
	if len(p) > 0 {
		err = c.writePieces(p)
	}
	c.wbuf = c.wbuf[:0]
	return err
}

// writePiece is the most written under one write deadline: a body of any
// size goes out as long as the client takes a piece per WriteTimeout.
const writePiece = 256 << 10

// writePieces writes p to the connection, renewing the write deadline
// before each piece of at most writePiece bytes. A piece is first offered
// to the socket with one write that does not wait (rawWriter): what it
// takes at once needs no deadline, and only the rest waits, under a
// deadline set then. A write that completes at once cannot outlast
// WriteTimeout, so every wait stays bounded as before, at the cost of no
// timer change per response.
func (c *http1Conn) writePieces(p []byte) error {
	timeout := c.srv.writeTimeout()
	for len(p) > 0 {
		piece := p[:min(len(p), writePiece)]
		p = p[len(piece):]
		if timeout > 0 {
			piece = piece[c.raw.writeNow(c.conn, piece):]
			if len(piece) == 0 {
				continue
			}
			_ = c.conn.SetWriteDeadline(time.Now().Add(timeout))
		}
		if _, err := c.conn.Write(piece); err != nil {
			return err
		}
	}
	return nil
}

// deadlineWriter writes to the connection through writePieces, so that a
// copy of any length renews the write deadline as it goes.
type deadlineWriter struct{ c *http1Conn }

func (w deadlineWriter) Write(p []byte) (int, error) {
	if err := w.c.writePieces(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeBodyStream sends a body read from a stream; a file of known size
// goes through sendfile(2) where the connection supports it.
func (c *http1Conn) writeBodyStream(ctx *RequestCtx) error {
	resp := &ctx.Response
	size := resp.bodyStreamN
	if !c.bodyAllowed(ctx) || resp.SkipBody && !c.headOnly {
		size = 0
	}
	c.wbuf = c.appendHead(c.wbuf, ctx, size)
	if c.headOnly || size == 0 {
		if c.chunked && !c.headOnly {
			c.wbuf = appendLastChunk(c.wbuf, &resp.Header.trailers)
		}
		return c.flush()
	}
	if err := c.flush(); err != nil {
		return err
	}
	if size > 0 {
		var n int64
		var err error
		if f, ok := resp.bodyStream.(*os.File); ok && c.sc.tlsState == nil {
			// *net.TCPConn.ReadFrom: sendfile, a piece per deadline.
			for n < size && err == nil {
				c.setWriteDeadline()
				var m int64
				m, err = io.CopyN(c.conn, f, min(size-n, writePiece))
				n += m
			}
		} else {
			buf := copyBufPool.get(32 << 10)
			n, err = io.CopyBuffer(deadlineWriter{c}, io.LimitReader(resp.bodyStream, size), buf)
			copyBufPool.put(buf)
		}
		if err != nil || n != size {
			c.closeAfter = true
			if err == nil {
				err = io.ErrShortWrite
			}
			return err
		}
		return nil
	}
	w := c.bufioWriter()
	_, err := io.Copy(w, resp.bodyStream)
	if err == nil {
		err = w.Flush()
	}
	c.putBufioWriter(w)
	if err != nil {
		c.closeAfter = true
		return err
	}
	return c.endBody(resp)
}

// copyBufPool holds the buffers of stream copies that cannot use
// sendfile.
var copyBufPool bufPool

// writerOnly hides io.ReaderFrom, so that io.Copy uses its own buffer.
type writerOnly struct{ io.Writer }

// writeStreamWriter runs the response's StreamWriter with a bufio.Writer
// whose every Flush sends a chunk.
func (c *http1Conn) writeStreamWriter(ctx *RequestCtx) error {
	resp := &ctx.Response
	size := int64(-1)
	if !c.bodyAllowed(ctx) || resp.SkipBody && !c.headOnly {
		size = 0
	}
	c.wbuf = c.appendHead(c.wbuf, ctx, size)
	if c.headOnly || size == 0 {
		if c.chunked && !c.headOnly {
			c.wbuf = appendLastChunk(c.wbuf, &resp.Header.trailers)
		}
		return c.flush()
	}
	if err := c.flush(); err != nil {
		return err
	}
	w := c.bufioWriter()
	if err := c.runStreamWriter(ctx, w); err != nil {
		return err
	}
	err := w.Flush()
	c.putBufioWriter(w)
	if err != nil {
		c.closeAfter = true
		return err
	}
	return c.endBody(resp)
}

// runStreamWriter runs the response's StreamWriter with the same panic
// recovery as handlers: a panic is logged and the connection closed
// without ending the body, so that the client sees the truncation.
func (c *http1Conn) runStreamWriter(ctx *RequestCtx, w *bufio.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.logger().Error("volt: stream writer panic", "panic", r,
				"uri", string(ctx.Request.Header.RequestURI()), "stack", string(debug.Stack()))
			c.closeAfter = true
			err = errHandlerPanic
		}
	}()
	ctx.Response.streamWriter(w)
	return nil
}

var bufioWriterPool sync.Pool

func (c *http1Conn) bufioWriter() *bufio.Writer {
	size := orInt(c.srv.WriteBufferSize, DefaultWriteBufferSize)
	if v := bufioWriterPool.Get(); v != nil {
		w := v.(*bufio.Writer)
		w.Reset(chunkFlusher{c})
		return w
	}
	return bufio.NewWriterSize(chunkFlusher{c}, size)
}

func (c *http1Conn) putBufioWriter(w *bufio.Writer) {
	w.Reset(nil)
	bufioWriterPool.Put(w)
}

// chunkFlusher turns every write of a bufio.Writer (that is, every
// Flush) into a body piece sent to the client at once.
type chunkFlusher struct{ c *http1Conn }

func (f chunkFlusher) Write(p []byte) (int, error) {
	if _, err := f.c.Write(p); err != nil {
		return 0, err
	}
	return len(p), f.c.flush()
}

// WriteHeader implements ResponseWriter: it commits the head of a response
// whose body follows in pieces.
//
// A head with an invalid field is not written: a plain 500 goes out in
// its place, WriteHeader and every later Write return
// ErrInvalidHeaderField, and the connection closes after the response.
func (c *http1Conn) WriteHeader(resp *Response) error {
	ctx := c.ctx
	if !c.checkHead(ctx) {
		c.refused = true
		return ErrInvalidHeaderField
	}
	bodyLen := resp.Header.contentLength
	if !c.bodyAllowed(ctx) || resp.SkipBody && !c.headOnly {
		bodyLen = 0
	}
	c.wbuf = c.appendHead(c.wbuf, ctx, bodyLen)
	return nil
}

// Write implements ResponseWriter: it frames p as the committed response
// requires.
func (c *http1Conn) Write(p []byte) (int, error) {
	if c.refused {
		return 0, ErrInvalidHeaderField
	}
	if c.headOnly || c.ctx.Response.SkipBody || len(p) == 0 || !c.bodyAllowed(c.ctx) {
		return len(p), nil
	}
	switch {
	case c.chunked:
		c.wbuf = appendChunk(c.wbuf, p)
	case c.rawBody:
		c.wbuf = append(c.wbuf, p...)
	default:
		if int64(len(p)) > c.left {
			c.closeAfter = true
			return 0, ErrBodyTooLarge
		}
		c.left -= int64(len(p))
		c.wbuf = append(c.wbuf, p...)
	}
	if len(c.wbuf) >= orInt(c.srv.WriteBufferSize, DefaultWriteBufferSize) {
		return len(p), c.flush()
	}
	return len(p), nil
}

// Flush implements ResponseWriter.
func (c *http1Conn) Flush() error { return c.flush() }

// WriteInterim implements ResponseWriter: it sends a 1xx response at once.
// It writes nothing and returns ErrInvalidHeaderField when code is not an
// interim status other than 101 (which switches protocols, as a final
// response with Hijack does), when a field of h has a name that is not a
// token or a value with CR, LF, NUL or another control byte, or when the
// final head was already sent (the interim head would land in the body).
func (c *http1Conn) WriteInterim(code int, h *ResponseHeader) error {
	if code < 100 || code > 199 || code == StatusSwitchingProtocols || !validFieldLines(&h.fields) ||
		c.ctx != nil && c.ctx.sent {
		return ErrInvalidHeaderField
	}
	c.wbuf = appendStatusLine(c.wbuf, code)
	c.wbuf = h.fields.appendFields(c.wbuf)
	c.wbuf = append(c.wbuf, '\r', '\n')
	return c.flush()
}

// errInterimFinal is logged when a handler leaves a 1xx status (other
// than 101) as its final response.
var errInterimFinal = errors.New("volt: interim status as a final response")

// bodyAllowed reports whether ctx's response may carry a body: not a 1xx,
// 204 or 304 (RFC 9110 sections 15.2, 15.3.5, 15.4.5), nor a 2xx to
// CONNECT, after which the connection is a tunnel (section 9.3.6).
func (c *http1Conn) bodyAllowed(ctx *RequestCtx) bool {
	return bodyAllowedForStatus(ctx.Response.Header.StatusCode()) && !c.tunnel(ctx)
}

// tunnel reports whether ctx's response is a 2xx to CONNECT.
func (c *http1Conn) tunnel(ctx *RequestCtx) bool {
	code := ctx.Response.Header.StatusCode()
	return code >= 200 && code < 300 && ctx.Request.Header.IsConnect()
}

// checkHead is the one validation point of response heads: it reports
// whether every field line of ctx's response may be written (see
// ResponseHeader.validForWire), and whether its status may be final.
// When not, it logs the error and writes a plain 500 in place of the
// response, without the handler's fields; the connection closes after
// it.
//
// A status outside 100..599 is sent as 500 (see appendStatusLine), and
// framed as one. An interim status (1xx but 101) cannot end a request:
// the client would wait for the final response.
func (c *http1Conn) checkHead(ctx *RequestCtx) bool {
	h := &ctx.Response.Header
	if code := h.statusCode; (code == 0 || code >= 200 && code <= 599) && h.validForWire() {
		return true
	}
	return c.checkHeadSlow(ctx)
}

// checkHeadSlow is checkHead for a head with an unusual status or an
// invalid field.
func (c *http1Conn) checkHeadSlow(ctx *RequestCtx) bool {
	if c.sc.PrepareResponse(ctx) {
		return true
	}
	resp := &ctx.Response
	c.closeAfter = true
	body := resp.body
	c.wbuf = c.appendHead(c.wbuf, ctx, int64(len(body)))
	if !c.headOnly {
		c.wbuf = append(c.wbuf, body...)
	}
	resp.body = resp.body[:0]
	c.left = 0
	return false
}

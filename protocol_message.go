package volt

import (
	"io"
	"iter"
	"time"
)

// This file holds what a Protocol needs to fill a Request from its wire
// format and to take a Response apart into its own: the HTTP/1.1 server
// uses the same checks, so that every protocol refuses the same heads.

// ServerLimits are a server's limits and timeouts as a protocol applies
// them: the fields left at zero in Server resolved to their defaults.
// A zero duration means no limit; a negative MaxRequestBodySize too.
type ServerLimits struct {
	HeaderTimeout      time.Duration
	IdleTimeout        time.Duration
	BodyIdleTimeout    time.Duration
	WriteTimeout       time.Duration
	ReadTimeout        time.Duration
	MaxRequestBodySize int64
	MaxHeaderBytes     int
	MaxHeaderCount     int
	MaxURILength       int
}

// Limits returns the server's effective limits.
func (c *ServerConn) Limits() ServerLimits {
	s := c.srv
	return ServerLimits{
		HeaderTimeout:      max(s.headerTimeout(), 0),
		IdleTimeout:        max(s.idleTimeout(), 0),
		BodyIdleTimeout:    max(s.bodyIdleTimeout(), 0),
		WriteTimeout:       max(s.writeTimeout(), 0),
		ReadTimeout:        max(s.ReadTimeout, 0),
		MaxRequestBodySize: s.maxBodySize(),
		MaxHeaderBytes:     s.opts.maxHeaderBytes,
		MaxHeaderCount:     s.opts.maxHeaderCount,
		MaxURILength:       s.opts.maxURILength,
	}
}

// ServerName returns the value of the Server header field the server
// sends. The returned slice must not be modified.
func (c *ServerConn) ServerName() []byte { return c.srv.name }

// KeepHeaderNames reports whether header names are kept as sent
// (Server.DisableHeaderNamesNormalizing).
func (c *ServerConn) KeepHeaderNames() bool { return c.srv.opts.keepNames }

// PrepareRequest checks a request head that a protocol filled in (method,
// request-target, fields) as strictly as the HTTP/1.1 parser does, and
// parses its URI. An error is a *ParseError or ErrURITooLong; the request
// must then be refused with 400 (414) without running the handler.
func (c *ServerConn) PrepareRequest(ctx *RequestCtx) error {
	h := &ctx.Request.Header
	if len(h.target) > c.srv.opts.maxURILength {
		return ErrURITooLong
	}
	return ctx.Request.parseURI()
}

// PrepareResponse is the one validation point of response heads for every
// protocol: it reports whether the status and every field of ctx's
// response may be written (names are tokens; values, trailers and
// Connection hold no CR, LF, NUL or other control byte). A status outside
// 100..599 becomes 500. When the head cannot be written, or its status is
// interim (1xx but 101) and so cannot end a request, PrepareResponse logs
// the error and replaces the response with a plain 500, and reports false.
func (c *ServerConn) PrepareResponse(ctx *RequestCtx) bool {
	h := &ctx.Response.Header
	if code := h.statusCode; (code == 0 || code >= 200 && code <= 599) && h.validForWire() {
		return true
	}
	resp := &ctx.Response
	code := h.statusCode
	if code != 0 && (code < 100 || code > 599) {
		h.statusCode = StatusInternalServerError
	}
	interim := code >= 100 && code < 200 && code != StatusSwitchingProtocols
	if !interim && h.validForWire() {
		return true
	}
	err := ErrInvalidHeaderField
	if interim {
		err = errInterimFinal
	}
	c.srv.logger().Error("volt: response cannot be written; 500 sent instead",
		"error", err, "status", code,
		"uri", string(ctx.Request.Header.RequestURI()))
	resp.Reset()
	resp.Header.SetStatusCode(StatusInternalServerError)
	resp.Header.SetContentTypeBytes(strTextPlain)
	resp.SetBodyString(StatusMessage(StatusInternalServerError))
	return false
}

// ValidFields reports whether every field of h may be written: the check
// PrepareResponse makes, for interim (1xx) heads and trailers.
func ValidFields(h *ResponseHeader) bool { return validFieldLines(&h.fields) }

// ValidTrailers reports whether every trailer field of h may be written.
func ValidTrailers(h *ResponseHeader) bool { return validFieldLines(&h.trailers) }

// AddStreams adds delta to the server's count of open streams (a protocol
// that multiplexes calls it as streams open and close).
func (c *ServerConn) AddStreams(delta int) {
	c.srv.stats.streams.Add(int64(delta))
	if delta > 0 {
		c.srv.stats.streamsTotal.Add(int64(delta))
	}
}

// OnShutdown registers f to be called (on another goroutine, repeatedly,
// every few milliseconds) while the server shuts down and the connection
// is still open: a multiplexing protocol starts its graceful close there.
// f must not block.
func (c *ServerConn) OnShutdown(f func()) {
	c.mu.Lock()
	c.shutdownHook = f
	c.mu.Unlock()
}

// AppendHTTPDate appends the IMF-fixdate of t (the Date field of a
// response, RFC 9110 section 5.6.7) to dst. The text is cached for the
// current second.
func AppendHTTPDate(dst []byte, t time.Time) []byte { return appendDate(dst, t) }

// AppendBody appends p to the body.
func (r *Request) AppendBody(p []byte) {
	r.bodyBuf = append(r.bodyBuf, p...)
	r.body = r.bodyBuf
}

// IsHTTP2 reports whether a client received the response over HTTP/2.
func (h *ResponseHeader) IsHTTP2() bool { return h.http2 }

// SetProtocolHTTP2 marks the response as received over HTTP/2 (for a
// client protocol).
func (h *ResponseHeader) SetProtocolHTTP2(v bool) { h.http2 = v }

// IsBodyStream reports whether the body is a stream set by SetBodyStream
// and not yet sent nor read.
func (r *Request) IsBodyStream() bool { return r.sendsStream() }

// TakeBodyStream returns the body stream set by SetBodyStream and its size
// (-1: unknown), for a client protocol about to send it, and marks it
// sent: the request cannot be sent again from it. It returns nil, -1 when
// the body is not a stream. The caller closes the stream if it is an
// io.Closer once sent, as the HTTP/1.1 client does.
func (r *Request) TakeBodyStream() (io.Reader, int64) {
	if !r.sendsStream() {
		return nil, -1
	}
	r.streamRead = true
	return r.stream, r.streamSize
}

// StreamWriter returns the function set by SetBodyStreamWriter, or nil.
func (r *Response) StreamWriter() StreamWriter { return r.streamWriter }

// BodyStreamSize returns the size given to SetBodyStream (-1: unknown),
// or -1 when the body is not a stream.
func (r *Response) BodyStreamSize() int64 {
	if r.bodyStream == nil {
		return -1
	}
	return r.bodyStreamN
}

// Trailers returns an iterator over the trailer fields.
// The yielded slices are valid until the handler returns.
func (h *ResponseHeader) Trailers() iter.Seq2[[]byte, []byte] { return h.trailers.all() }

// Go runs task on one of the server's pooled goroutines (a new goroutine
// when the pool is stopped). A protocol runs each stream's handler so.
// The task must recover its own panics.
func (c *ServerConn) Go(task func()) {
	if !c.srv.workers.Go(task) {
		go task()
	}
}

// TakeHijack returns the function the handler of ctx gave to Hijack, or
// nil, and clears it: a protocol that can hand over something like a
// connection (an HTTP/2 CONNECT stream) runs it itself.
func (c *ServerConn) TakeHijack(ctx *RequestCtx) HijackHandler {
	h := ctx.hijack
	ctx.hijack = nil
	return h
}

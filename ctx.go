package volt

import (
	"crypto/tls"
	"errors"
	"io/fs"
	"net"
	"sync"
	"time"

	"github.com/volthttp/volt/internal/bytesconv"
)

// RequestHandler serves one request. The same handler serves every
// protocol the server speaks.
type RequestHandler func(ctx *RequestCtx)

// HijackHandler takes over a connection after the response head was
// written (see RequestCtx.Hijack). The server closes c when it returns.
type HijackHandler func(c net.Conn)

// RequestCtx carries one request and its response through a handler.
//
// A RequestCtx is pooled: it and everything reached from it (Request,
// Response, the slices they return) are valid only until the handler
// returns, unless the handler hijacks the connection (then until the hijack
// handler returns). It must not be used from other goroutines after that.
//
// RequestCtx implements context.Context: Done closes when the server shuts
// down and, on HTTP/1.1, when the client goes away while the handler runs
// (see Done).
type RequestCtx struct {
	noCopy noCopy

	// Request is the request being served.
	Request Request
	// Response is the response being built.
	Response Response

	sc      *ServerConn
	rw      ResponseWriter
	id      uint64
	time    time.Time
	handled bool // the head went out through rw (Flush or EarlyHints)
	sent    bool // the final head was written (Flush)

	userValues []userValue

	hijack   HijackHandler
	detached DetachedHandler // set by HijackDetached, with hijack

	// Cancellation, guarded by mu: Done may be called from any goroutine.
	mu       sync.Mutex
	done     chan struct{}
	err      error
	watching bool // a watcher reads the connection (HTTP/1.1)
	afters   []ctxAfterFunc
	afterID  uint64 // never reset, so that a stale stop function finds nothing
	// running counts the AfterFunc callbacks started and not returned:
	// reset waits for them, since they may read ctx (context's own
	// callbacks call Err and Value), and ctx is reused after reset.
	running sync.WaitGroup
}

// ctxAfterFunc is a function registered with AfterFunc.
type ctxAfterFunc struct {
	id uint64
	f  func()
}

type userValue struct {
	key   any
	value any
}

// reset prepares ctx for the next request of its connection.
func (ctx *RequestCtx) reset() {
	ctx.running.Wait()
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.handled, ctx.sent = false, false
	for i := range ctx.userValues {
		if c, ok := ctx.userValues[i].value.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	}
	ctx.hijack, ctx.detached = nil, nil
	ctx.mu.Lock() // Value and Done may be called from other goroutines
	clear(ctx.userValues)
	ctx.userValues = ctx.userValues[:0]
	ctx.done, ctx.err, ctx.watching = nil, nil, false
	clear(ctx.afters)
	ctx.afters = ctx.afters[:0]
	ctx.mu.Unlock()
}

// ID returns an identifier of the request, unique within the server
// process: the connection number in the high 32 bits and the request's
// number on its connection in the low 32.
func (ctx *RequestCtx) ID() uint64 { return ctx.id }

// Time returns the time the request started.
func (ctx *RequestCtx) Time() time.Time { return ctx.time }

// Method returns the request method.
// The returned slice is valid until the handler returns; copy it to keep it.
func (ctx *RequestCtx) Method() []byte { return ctx.Request.Header.Method() }

// IsGet reports whether the method is GET.
func (ctx *RequestCtx) IsGet() bool { return ctx.Request.Header.IsGet() }

// IsPost reports whether the method is POST.
func (ctx *RequestCtx) IsPost() bool { return ctx.Request.Header.IsPost() }

// IsHead reports whether the method is HEAD.
func (ctx *RequestCtx) IsHead() bool { return ctx.Request.Header.IsHead() }

// URI returns the request URI.
func (ctx *RequestCtx) URI() *URI { return ctx.Request.URI() }

// Path returns the normalised, percent-decoded path of the request.
// The returned slice is valid until the handler returns; copy it to keep it.
func (ctx *RequestCtx) Path() []byte { return ctx.Request.URI().Path() }

// Host returns the request's host.
// The returned slice is valid until the handler returns; copy it to keep it.
func (ctx *RequestCtx) Host() []byte { return ctx.Request.Host() }

// QueryArgs returns the arguments of the query string.
func (ctx *RequestCtx) QueryArgs() *Args { return ctx.Request.URI().QueryArgs() }

// PostArgs returns the arguments of an urlencoded form body.
func (ctx *RequestCtx) PostArgs() *Args { return ctx.Request.PostArgs() }

// FormValue returns the first value of key from the query string, the
// urlencoded body or the multipart form, in that order, or nil.
// The returned slice is valid until the handler returns; copy it to keep it.
func (ctx *RequestCtx) FormValue(key string) []byte {
	if v := ctx.QueryArgs().Peek(key); v != nil {
		return v
	}
	if v := ctx.PostArgs().Peek(key); v != nil {
		return v
	}
	if mediaTypeIs(ctx.Request.Header.ContentType(), "multipart/form-data") {
		if f, err := ctx.Request.MultipartForm(); err == nil {
			if vs := f.Value[key]; len(vs) > 0 {
				return bytesconv.S2B(vs[0])
			}
		}
	}
	return nil
}

// PostBody returns the request body.
// The returned slice is valid until the handler returns; copy it to keep it.
func (ctx *RequestCtx) PostBody() []byte { return ctx.Request.Body() }

// SetStatusCode sets the response status code.
func (ctx *RequestCtx) SetStatusCode(code int) { ctx.Response.Header.SetStatusCode(code) }

// SetContentType sets the response Content-Type.
func (ctx *RequestCtx) SetContentType(ct string) { ctx.Response.Header.SetContentType(ct) }

// SetBody sets the response body to a copy of body.
func (ctx *RequestCtx) SetBody(body []byte) { ctx.Response.SetBody(body) }

// SetBodyString sets the response body to a copy of body.
func (ctx *RequestCtx) SetBodyString(body string) { ctx.Response.SetBodyString(body) }

// SetBodyStreamWriter makes sw write the response body after the handler
// returns (see StreamWriter).
func (ctx *RequestCtx) SetBodyStreamWriter(sw StreamWriter) { ctx.Response.SetBodyStreamWriter(sw) }

// SendFile sends the file at path as the response body (see
// Response.SendFile). A missing file or a directory gives 404, a file the
// server may not read 403, other errors 500.
func (ctx *RequestCtx) SendFile(path string) {
	err := ctx.Response.SendFile(path)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrIsDirectory):
		ctx.Error(StatusMessage(StatusNotFound), StatusNotFound)
	case errors.Is(err, fs.ErrPermission):
		ctx.Error(StatusMessage(StatusForbidden), StatusForbidden)
	default:
		ctx.Error(StatusMessage(StatusInternalServerError), StatusInternalServerError)
	}
}

// Write appends p to the response body. After Flush, the body is sent in
// pieces as it grows. It implements io.Writer.
func (ctx *RequestCtx) Write(p []byte) (int, error) {
	ctx.Response.AppendBody(p)
	if ctx.sent && len(ctx.Response.body) >= streamChunkSize {
		if err := ctx.writeBodyPiece(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// WriteString appends s to the response body.
func (ctx *RequestCtx) WriteString(s string) (int, error) { return ctx.Write(bytesconv.S2B(s)) }

// streamChunkSize is how much body a flushed response buffers before
// sending a piece without being asked.
const streamChunkSize = 8 << 10

func (ctx *RequestCtx) writeBodyPiece() error {
	_, err := ctx.rw.Write(ctx.Response.body)
	ctx.Response.body = ctx.Response.body[:0]
	return err
}

// Flush sends the response head (on the first call) and the body written so
// far to the client, and goes on streaming: on HTTP/1.1 the body is then
// chunked unless a Content-Length was set. Status and header fields cannot
// change after the first Flush; trailers can.
func (ctx *RequestCtx) Flush() error {
	if ctx.rw == nil {
		return ErrNoResponseWriter
	}
	if !ctx.sent {
		ctx.sent = true
		ctx.handled = true
		if err := ctx.rw.WriteHeader(&ctx.Response); err != nil {
			return err
		}
	}
	if len(ctx.Response.body) > 0 {
		if err := ctx.writeBodyPiece(); err != nil {
			return err
		}
	}
	return ctx.rw.Flush()
}

// HeadSent reports whether the response head was already sent by Flush.
// Protocols use it to finish a streamed response.
func (ctx *RequestCtx) HeadSent() bool { return ctx.sent }

// ResponseWriter returns the protocol's writer of this request's response.
func (ctx *RequestCtx) ResponseWriter() ResponseWriter { return ctx.rw }

// EarlyHints sends a 103 Early Hints interim response (RFC 8297) with a
// Link field for each link, before the final response. It does nothing for
// HTTP/1.0 clients, which do not understand 1xx responses. A link with CR,
// LF, NUL or another control byte makes it send nothing and return
// ErrInvalidHeaderField.
func (ctx *RequestCtx) EarlyHints(links ...string) error {
	if ctx.rw == nil {
		return ErrNoResponseWriter
	}
	if !ctx.Request.Header.IsHTTP11() || ctx.sent {
		return nil
	}
	var h ResponseHeader
	h.Reset()
	for _, l := range links {
		h.Add(HeaderLink, l)
	}
	if err := ctx.rw.WriteInterim(StatusEarlyHints, &h); err != nil {
		return err
	}
	ctx.handled = true
	return nil
}

// Redirect answers with a redirect to uri (an absolute URL or a reference
// relative to the request's URL) and statusCode, which must be 301, 302,
// 303, 307 or 308 (302 is used otherwise). uri is sent in Location as
// given, except that controls (CR, LF, NUL...), SP, DEL, '\\' and bytes
// >= 0x80 are percent-encoded, so that a path from RequestCtx.Path (which
// is decoded) can be redirected to safely. A uri starting with "//" names
// another host; Redirect does not change that.
func (ctx *RequestCtx) Redirect(uri string, statusCode int) {
	switch statusCode {
	case StatusMovedPermanently, StatusFound, StatusSeeOther, StatusTemporaryRedirect, StatusPermanentRedirect:
	default:
		statusCode = StatusFound
	}
	if locationNeedsEscape(uri) {
		ctx.Response.Header.SetBytes(bytesconv.S2B(HeaderLocation), appendLocation(nil, uri))
	} else {
		ctx.Response.Header.Set(HeaderLocation, uri)
	}
	ctx.Response.Header.SetStatusCode(statusCode)
}

// Error answers with statusCode and msg as a text/plain body. Header
// fields set before (by middleware, say) stay.
func (ctx *RequestCtx) Error(msg string, statusCode int) {
	ctx.Response.ResetBody()
	ctx.Response.Header.SetContentLength(-1)
	ctx.Response.Header.SetStatusCode(statusCode)
	ctx.Response.Header.SetContentTypeBytes(strTextPlain)
	ctx.Response.SetBodyString(msg)
}

// NotFound answers 404 Not Found.
func (ctx *RequestCtx) NotFound() { ctx.Error(StatusMessage(StatusNotFound), StatusNotFound) }

// UserValue returns the value stored under key by SetUserValue, or nil.
func (ctx *RequestCtx) UserValue(key any) any {
	for i := range ctx.userValues {
		if ctx.userValues[i].key == key {
			return ctx.userValues[i].value
		}
	}
	return nil
}

// SetUserValue stores value under key for the rest of the request. Values
// that have a Close() error method are closed when the request ends.
//
// The handler's goroutine reads and writes user values without locking;
// writes take ctx's lock, as Value does, for the context.Context
// callbacks that read them from other goroutines.
func (ctx *RequestCtx) SetUserValue(key, value any) {
	ctx.mu.Lock()
	defer ctx.mu.Unlock()
	for i := range ctx.userValues {
		if ctx.userValues[i].key == key {
			ctx.userValues[i].value = value
			return
		}
	}
	ctx.userValues = append(ctx.userValues, userValue{key, value})
}

// RemoteAddr returns the client's address.
func (ctx *RequestCtx) RemoteAddr() net.Addr {
	if ctx.sc == nil {
		return zeroTCPAddr
	}
	return ctx.sc.conn.RemoteAddr()
}

// LocalAddr returns the server's address of the connection.
func (ctx *RequestCtx) LocalAddr() net.Addr {
	if ctx.sc == nil {
		return zeroTCPAddr
	}
	return ctx.sc.conn.LocalAddr()
}

var zeroTCPAddr = &net.TCPAddr{IP: net.IPv4zero}

// RemoteIP returns the client's IP address, or 0.0.0.0 when the
// connection has none (a Unix socket or an in-memory pipe).
func (ctx *RequestCtx) RemoteIP() net.IP {
	if a, ok := ctx.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return net.IPv4zero
}

// IsTLS reports whether the connection uses TLS.
func (ctx *RequestCtx) IsTLS() bool { return ctx.sc != nil && ctx.sc.tlsState != nil }

// TLSConnectionState returns the TLS state of the connection, or nil.
func (ctx *RequestCtx) TLSConnectionState() *tls.ConnectionState {
	if ctx.sc == nil {
		return nil
	}
	return ctx.sc.tlsState
}

// Hijack makes the server hand the connection to h after the handler
// returns and the response (typically 101 Switching Protocols) was
// written. Bytes the client sent after the request and that the server
// already read are readable from the conn h receives. The RequestCtx stays
// valid until h returns; its Done closes on server shutdown. The
// connection counts against Server.Concurrency and MaxConnsPerIP until h
// returns. Hijack is supported on HTTP/1.1 only. To keep the connection
// after h returns, without a goroutine, use HijackDetached.
func (ctx *RequestCtx) Hijack(h HijackHandler) { ctx.hijack = h }

// Hijacked reports whether Hijack was called.
func (ctx *RequestCtx) Hijacked() bool { return ctx.hijack != nil }

// Server returns the server serving the request, or nil.
func (ctx *RequestCtx) Server() *Server {
	if ctx.sc == nil {
		return nil
	}
	return ctx.sc.srv
}

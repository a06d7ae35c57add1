package volt

import (
	"net"
	"sync"
)

// DetachedHandler takes over a connection that the server keeps open
// without a goroutine of its own (see RequestCtx.HijackDetached).
type DetachedHandler func(d *Detached)

// Detached is a hijacked HTTP/1.1 connection that outlives its hijack
// handler: the server holds neither a goroutine nor a RequestCtx nor a
// buffer for it, only its registration, so that the connection still
// counts in ServerStats (OpenConns, HijackedConns), in Server.Concurrency
// and MaxConnsPerIP, and so that Server.Shutdown and Server.Close reach it
// through OnShutdown. The owner (typically an event-driven WebSocket or
// SSE connection whose socket waits in the runtime's poller) reads and
// writes Conn as it likes and must call Close once done: until then the
// connection is open, and Shutdown waits for it.
//
// A Detached costs about 100 bytes besides the ServerConn. Its methods
// may be called from any goroutine.
type Detached struct {
	sc      *ServerConn
	conn    net.Conn
	pending []byte
	chunked bool

	mu       sync.Mutex // guards everything below
	onShut   func()
	notified bool // Shutdown or Close was called
	closed   bool
}

// HijackDetached is Hijack for a connection that lives on after the
// handler h returns: once the handler of ctx has returned, the server
// writes the response and calls h, and when h returns, the server's
// goroutine goes back to its pool and the RequestCtx to its pool, but the
// connection stays open until d.Close. The request is valid until h
// returns; copy what the connection needs beyond that.
//
// The response is written first, as for Hijack. A 101 (Switching
// Protocols) response ends at its head. Any other status sends the head of
// a body of unknown length, which the owner then writes: chunked
// (Detached.Chunked reports true) on HTTP/1.1, or delimited by the end of
// the connection for an HTTP/1.0 client; the owner ends the body (the
// last chunk) and closes the connection.
//
// HijackDetached is supported on HTTP/1.1 only: on an HTTP/2 stream the
// handler is never called (use Hijack there). As with Hijack, a request
// whose body was not read whole is not hijacked.
func (ctx *RequestCtx) HijackDetached(h DetachedHandler) {
	ctx.hijack, ctx.detached = detachedHijack, h
}

// detachedHijack is the HijackHandler of HijackDetached for protocols
// that cannot detach (HTTP/2): the stream just ends.
func detachedHijack(net.Conn) {}

// Conn returns the connection itself (a *net.TCPConn for a plain TCP
// listener, a *tls.Conn on TLS), not a wrapper, so that it keeps its
// optional interfaces (syscall.Conn for polling). Bytes the server read
// past the request come first: see Pending.
func (d *Detached) Conn() net.Conn { return d.conn }

// Pending returns the bytes the client sent after the request that the
// server read already; they precede what Conn will read. The slice is the
// caller's (a copy); Pending returns it once, and nil afterwards.
func (d *Detached) Pending() []byte {
	d.mu.Lock()
	p := d.pending
	d.pending = nil
	d.mu.Unlock()
	return p
}

// Chunked reports whether the response body the owner writes uses the
// chunked transfer coding (HTTP/1.1 and a status other than 101): each
// write is then a chunk, and the body ends with "0\r\n\r\n".
func (d *Detached) Chunked() bool { return d.chunked }

// OnShutdown sets f, called once in a goroutine of its own when the
// server shuts down: after Server.Shutdown the connection is still open,
// and f should say goodbye (a WebSocket close frame with 1001, the end
// of an event stream) and call Close; after Server.Close the connection is
// closed already, and f should release what the owner holds and call
// Close. If the server is shutting down already, f is called at once (in
// its goroutine). Setting another f replaces the previous one, if it was
// not called yet; nil removes it.
func (d *Detached) OnShutdown(f func()) {
	d.mu.Lock()
	if d.notified && !d.closed && f != nil {
		d.mu.Unlock()
		go f()
		return
	}
	d.onShut = f
	d.mu.Unlock()
}

// Close closes the connection and removes it from the server's counts;
// ConnState then reports StateClosed. Closing a closed Detached does
// nothing.
func (d *Detached) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.onShut = nil
	d.mu.Unlock()
	sc := d.sc
	sc.mu.Lock()
	sc.det = nil
	sc.mu.Unlock()
	sc.srv.stats.hijacked.Add(-1)
	sc.close()
	return nil
}

// notify tells the owner that the server shuts down, once.
func (d *Detached) notify() {
	d.mu.Lock()
	f := d.onShut
	first := !d.notified
	d.notified = true
	if d.closed || !first {
		f = nil
	}
	d.onShut = nil
	d.mu.Unlock()
	if f != nil {
		go f()
	}
}

// notifyDetached tells the connection's Detached, if any, that the server
// shuts down. It is called by Shutdown (repeatedly; only the first call
// counts) and Close.
func (c *ServerConn) notifyDetached() {
	c.mu.Lock()
	d := c.det
	c.mu.Unlock()
	if d != nil {
		d.notify()
	}
}

// writeHijackHead writes the response of a hijacked request: the whole
// response, or for HijackDetached with a status other than 101, the head
// of a body the owner writes.
func (c *http1Conn) writeHijackHead(ctx *RequestCtx) error {
	if ctx.detached == nil || ctx.Response.Header.StatusCode() == StatusSwitchingProtocols {
		return c.finishResponse(ctx)
	}
	if !c.checkHead(ctx) {
		return ErrInvalidHeaderField
	}
	c.wbuf = c.appendHead(c.wbuf, ctx, -1)
	if body := ctx.Response.body; len(body) > 0 && !c.headOnly && c.bodyAllowed(ctx) {
		if c.chunked {
			c.wbuf = appendChunk(c.wbuf, body)
		} else {
			c.wbuf = append(c.wbuf, body...)
		}
	}
	return nil
}

// detach hands the connection to the DetachedHandler of ctx. hc is what a
// HijackHandler would get (the connection, or a wrapper holding the
// bytes read ahead). A panic in the handler closes the connection.
func (c *http1Conn) detach(ctx *RequestCtx, hc net.Conn) {
	sc := c.sc
	d := &Detached{sc: sc, conn: c.conn, chunked: c.chunked && !c.headOnly}
	if w, ok := hc.(*hijackedConn); ok {
		d.pending = w.pending
	}
	if c.hup != nil {
		// The socket leaves the server's watch: its owner may poll it.
		c.hup.Close()
		c.hup = nil
	}
	sc.mu.Lock()
	sc.det = d
	sc.mu.Unlock()
	c.srv.stats.hijacked.Add(1) // hijack's own count ends when it returns
	if c.srv.shutting.Load() {
		d.notify()
	}
	ok := false
	defer func() {
		if !ok {
			_ = d.Close()
		}
	}()
	ctx.detached(d)
	ok = true
}

package volt

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Protocol serves the connections of one application protocol. HTTP/1.1
// is built in; a package such as volt/http2 registers another with
// Server.RegisterProtocol.
//
// ServeConn owns the connection until it returns. Through c it acquires
// a RequestCtx per request, fills its Request, runs the handler with
// c.Handle, writes the Response, and releases the RequestCtx.
//
// ServeConn returns ErrParked after c.Park to leave the connection open
// without a goroutine: the function given to Park owns it when the
// server calls it, and returns as ServeConn does. Any other return
// (nil, or the error that ended the connection) has the server close
// the connection; the protocol never closes it itself.
type Protocol interface {
	ServeConn(c *ServerConn) error
}

// ResponseWriter carries a response to the client on behalf of a
// RequestCtx whose handler streams (RequestCtx.Flush) or sends interim
// responses. Each protocol implements it.
type ResponseWriter interface {
	// WriteHeader commits the status and header fields of resp. The body
	// follows through Write; its length is resp.Header.ContentLength()
	// if set, unknown otherwise.
	WriteHeader(resp *Response) error
	// Write sends body bytes, after WriteHeader.
	Write(p []byte) (int, error)
	// Flush pushes what was written to the client.
	Flush() error
	// WriteInterim sends a 1xx interim response with the fields of h.
	WriteInterim(code int, h *ResponseHeader) error
}

type preface struct {
	bytes []byte
	name  string
}

// ProtocolHTTP11 is the ALPN name of the built-in HTTP/1.1 protocol.
const ProtocolHTTP11 = "http/1.1"

// RegisterProtocol makes p serve the connections whose TLS handshake
// negotiated the ALPN protocol name (such as "h2"). Call it before Serve.
func (s *Server) RegisterProtocol(name string, p Protocol) {
	if s.protocols == nil {
		s.protocols = make(map[string]Protocol)
	}
	s.protocols[name] = p
}

// RegisterPreface makes a cleartext connection whose first bytes are
// preface (such as the HTTP/2 client preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
// be served by the protocol registered under name. The bytes stay unread:
// the protocol reads them from the ServerConn. Call it before Serve.
func (s *Server) RegisterPreface(prefix string, name string) {
	s.prefaces = append(s.prefaces, preface{[]byte(prefix), name})
	if len(prefix) > s.maxPreface {
		s.maxPreface = len(prefix)
	}
}

// NextProtos returns the ALPN protocol list the server offers: every
// registered protocol, then http/1.1. ServeTLS sets it on its TLS config;
// use it for a TLS listener made by hand.
func (s *Server) NextProtos() []string { return s.alpnProtocols(nil) }

// alpnProtocols returns the ALPN list: the given names, then every
// registered protocol, then http/1.1.
func (s *Server) alpnProtocols(have []string) []string {
	out := append([]string(nil), have...)
	add := func(n string) {
		for _, h := range out {
			if h == n {
				return
			}
		}
		out = append(out, n)
	}
	for name := range s.protocols {
		if name != ProtocolHTTP11 {
			add(name)
		}
	}
	add(ProtocolHTTP11)
	return out
}

// matchPreface returns the protocol whose preface starts buf, whether buf
// is still too short to decide, or nil.
func (s *Server) matchPreface(buf []byte) (p Protocol, needMore bool) {
	for _, pf := range s.prefaces {
		n := min(len(buf), len(pf.bytes))
		if bytes.Equal(buf[:n], pf.bytes[:n]) {
			if n < len(pf.bytes) {
				return nil, true
			}
			return s.protocols[pf.name], false
		}
	}
	return nil, false
}

// ServerConn is one accepted connection, as a Protocol sees it.
type ServerConn struct {
	srv      *Server
	conn     net.Conn
	ip       string
	id       uint64
	reqs     atomic.Uint64 // requests handled; streams may run at once
	tlsState *tls.ConnectionState
	pending  []byte // read before the protocol was chosen; not consumed yet

	// mu guards watched and watchHook, which other goroutines reach
	// (RequestCtx.Done, Server.Shutdown).
	mu        sync.Mutex
	watched   []*RequestCtx
	watchHook func(ctx *RequestCtx)
	// shutdownHook is set by a protocol with OnShutdown.
	shutdownHook func()
	idle         bool
	closed       bool

	// Parking (protocol_park.go): unpark and parkedUntil are guarded by
	// mu; idleTimer belongs to the connection's owner.
	unpark      func()
	parkedUntil time.Time
	idleTimer   *time.Timer
	// pp is the parking state of a registered protocol
	// (protocol_park_export.go), made by its first Park.
	pp *protocolPark
	// det is the connection's Detached while its owner holds it; the
	// serving goroutine then leaves the connection open (see detach.go).
	det *Detached
	// hold is holdFree, holdHeld while the protocol serves from inside a
	// read callback of the socket, or holdClosed once closeConn ran (see
	// closeConn).
	hold atomic.Int32
}

// States of ServerConn.hold.
const (
	holdFree int32 = iota
	holdHeld
	holdClosed
)

// Server returns the server the connection belongs to.
func (c *ServerConn) Server() *Server { return c.srv }

// NetConn returns the underlying connection (a *tls.Conn on TLS).
// Read from the ServerConn, not from it, to get the bytes read ahead.
func (c *ServerConn) NetConn() net.Conn { return c.conn }

// TLSConnectionState returns the TLS state, or nil.
func (c *ServerConn) TLSConnectionState() *tls.ConnectionState { return c.tlsState }

// Read reads from the connection, first returning the bytes read before
// the protocol was chosen.
func (c *ServerConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		return n, nil
	}
	return c.conn.Read(p)
}

// Write writes to the connection.
func (c *ServerConn) Write(p []byte) (int, error) { return c.conn.Write(p) }

// ShuttingDown reports whether the server is shutting down; protocols stop
// keeping connections alive then.
func (c *ServerConn) ShuttingDown() bool { return c.srv.shutting.Load() }

// SetIdle tells the server whether the connection waits for a new request
// (Shutdown closes idle connections at once) and reports the state to
// Server.ConnState.
func (c *ServerConn) SetIdle(idle bool) {
	c.mu.Lock()
	c.idle = idle
	shut := idle && c.srv.shutting.Load()
	c.mu.Unlock()
	if shut {
		_ = c.conn.SetReadDeadline(aLongTimeAgo)
	}
	if c.srv.ConnState != nil {
		st := StateActive
		if idle {
			st = StateIdle
		}
		c.srv.ConnState(c.conn, st)
	}
}

var aLongTimeAgo = time.Unix(1, 0)

var ctxPool sync.Pool

// AcquireCtx returns a pooled RequestCtx bound to this connection, whose
// streamed output goes through rw (nil if the protocol never streams).
func (c *ServerConn) AcquireCtx(rw ResponseWriter) *RequestCtx {
	var ctx *RequestCtx
	if v := ctxPool.Get(); v != nil {
		ctx = v.(*RequestCtx)
	} else {
		ctx = &RequestCtx{}
		ctx.reset()
	}
	ctx.sc, ctx.rw = c, rw
	c.setRequestSettings(ctx)
	return ctx
}

// ReleaseCtx resets ctx and returns it to the pool; ctx must not be used
// afterwards.
func (c *ServerConn) ReleaseCtx(ctx *RequestCtx) {
	c.unwatch(ctx)
	ctx.reset()
	ctx.sc, ctx.rw = nil, nil
	ctxPool.Put(ctx)
}

// ResetCtx prepares ctx for the next request on the same connection.
func (c *ServerConn) ResetCtx(ctx *RequestCtx) {
	c.unwatch(ctx)
	ctx.reset()
	c.setRequestSettings(ctx)
}

// setRequestSettings gives ctx's Request the server's settings.
func (c *ServerConn) setRequestSettings(ctx *RequestCtx) {
	s := c.srv
	ctx.Request.multipartMem = s.MultipartMemory
	ctx.Request.uri.DisablePathNormalization = s.DisablePathNormalizing
	n := s.maxArgs()
	ctx.Request.maxArgs, ctx.Request.uri.maxArgs = n, n
}

// Handle runs the server's handler on ctx with panic recovery and the
// server's counters. A panic is logged with its stack and answered with
// 500 (if nothing was sent yet); Handle then reports false, and the
// protocol should close the connection (HTTP/1.1) or reset the stream.
func (c *ServerConn) Handle(ctx *RequestCtx) (ok bool) {
	s := c.srv
	n := c.reqs.Add(1)
	ctx.id = c.id<<32 | n&0xffffffff
	ctx.time = time.Now()
	s.stats.requests.Add(1)
	s.stats.inFlight.Add(1)
	defer func() {
		s.stats.inFlight.Add(-1)
		if r := recover(); r != nil {
			s.logger().Error("volt: handler panic", "panic", r, "method", string(ctx.Method()),
				"uri", string(ctx.Request.Header.RequestURI()), "stack", string(debug.Stack()))
			if !ctx.sent {
				ctx.hijack = nil
				ctx.Error(StatusMessage(StatusInternalServerError), StatusInternalServerError)
			}
			ok = false
		}
	}()
	if s.Handler == nil {
		ctx.NotFound()
		return true
	}
	s.Handler(ctx)
	return true
}

// SetWatchHook installs the function that starts watching the connection
// for the client going away when a handler first calls Done (nil: no
// watching). Protocols set it around a handler call.
//
// The hook runs with the connection's lock held: once SetWatchHook(nil)
// returns, no hook call is running and none will start, so the protocol
// may then stop its watcher knowing that none starts behind it. The hook
// must not block nor call back into the ServerConn.
func (c *ServerConn) SetWatchHook(f func(ctx *RequestCtx)) {
	c.mu.Lock()
	c.watchHook = f
	c.mu.Unlock()
}

// watch registers ctx for cancellation by Shutdown and starts the
// protocol's watcher. The hook is read and called under the lock that
// SetWatchHook(nil) takes, so a Done racing the handler's return either
// starts its watcher before the protocol stops watching, or starts none.
func (c *ServerConn) watch(ctx *RequestCtx) {
	c.mu.Lock()
	// Once only: a hijacked ctx is registered by the hijack and again by
	// Done, and unwatch removes one entry; a stale entry would cancel the
	// ctx after it went back to the pool.
	if !slices.Contains(c.watched, ctx) {
		c.watched = append(c.watched, ctx)
	}
	if c.srv.shutting.Load() {
		c.mu.Unlock()
		ctx.Cancel(ErrServerClosed)
		return
	}
	if hook := c.watchHook; hook != nil {
		if th := hooks(); th != nil && th.watchDelay != nil {
			th.watchDelay()
		}
		hook(ctx)
	}
	c.mu.Unlock()
}

func (c *ServerConn) unwatch(ctx *RequestCtx) {
	c.mu.Lock()
	for i, w := range c.watched {
		if w == ctx {
			last := len(c.watched) - 1
			c.watched[i] = c.watched[last]
			c.watched[last] = nil
			c.watched = c.watched[:last]
			break
		}
	}
	c.mu.Unlock()
}

// cancelAll cancels every watched context with err.
func (c *ServerConn) cancelAll(err error) {
	c.mu.Lock()
	for _, ctx := range c.watched {
		ctx.Cancel(err)
	}
	c.mu.Unlock()
}

// shutdown is called by Server.Shutdown, repeatedly: it cancels running
// requests and wakes an idle connection so that it closes. The wake-up is
// made under the lock that SetIdle(false) takes: once a request started
// on the connection, no late wake-up cuts the reading of its head short.
func (c *ServerConn) shutdown() {
	c.cancelAll(ErrServerClosed)
	c.notifyDetached()
	c.mu.Lock()
	if f := c.shutdownHook; f != nil {
		f()
	}
	if f := c.unpark; f != nil {
		f() // a parked connection is resumed, and closes
	}
	if c.idle {
		if th := hooks(); th != nil && th.shutdownDelay != nil {
			th.shutdownDelay()
		}
		_ = c.conn.SetReadDeadline(aLongTimeAgo)
	}
	c.mu.Unlock()
}

// serve runs on a worker: TLS handshake, protocol choice, serving, close.
// It is the root of the connection's goroutine: a panic anywhere below it
// (parser, body readers, response writer, stream writers, a registered
// protocol) is logged with its stack and closes this connection only.
//
// A connection that HTTP/1.1 parks (errParked) stays open: the worker
// that resumes it closes it (see http1Conn.resume). So does one that a
// registered protocol parks (ErrParked, from ServeConn or from
// ServeUpgrade once the HTTP/1.1 connection gave back what it held; see
// ServerConn.Park).
func (c *ServerConn) serve() {
	s := c.srv
	parked := false
	defer func() {
		if r := recover(); r != nil || !parked {
			c.finish(r)
		}
	}()
	proto := ProtocolHTTP11
	if tc, ok := c.conn.(*tls.Conn); ok {
		hs := s.HandshakeTimeout
		if hs <= 0 {
			hs = s.headerTimeout()
		}
		_ = tc.SetDeadline(deadline(hs))
		if err := tc.Handshake(); err != nil {
			answerPlainHTTP(err)
			return
		}
		_ = tc.SetDeadline(time.Time{})
		st := tc.ConnectionState()
		c.tlsState = &st
		if st.NegotiatedProtocol != "" {
			proto = st.NegotiatedProtocol
		}
	}
	if p := s.protocols[proto]; p != nil && proto != ProtocolHTTP11 {
		parked = c.parkProtocol(p.ServeConn(c))
		return
	}
	next, err := serveHTTP1(c)
	switch {
	case err == errParked:
		parked = true
	case err == ErrParked:
		parked = c.parkProtocol(err) // switched with Upgrade, then parked
	case err == nil && next != nil:
		parked = c.parkProtocol(next.ServeConn(c))
	}
}

// answerPlainHTTP answers a plain HTTP request sent to a TLS port with a
// clear 400 (in plain HTTP, which is what the client speaks).
func answerPlainHTTP(err error) {
	var re tls.RecordHeaderError
	if !errors.As(err, &re) || re.Conn == nil || !looksLikeHTTP(re.RecordHeader[:]) {
		return
	}
	const msg = "Client sent an HTTP request to an HTTPS server.\n"
	_ = re.Conn.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = io.WriteString(re.Conn, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"+
		"Date: "+string(appendDate(nil, time.Now()))+"\r\n"+
		"Connection: close\r\nContent-Length: "+strconv.Itoa(len(msg))+"\r\n\r\n"+msg)
}

// looksLikeHTTP reports whether the first bytes of a connection look like
// the start of an HTTP/1 request line rather than a TLS record.
func looksLikeHTTP(b []byte) bool {
	for _, m := range []string{"GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH", "CONNE", "TRACE"} {
		if len(b) >= 5 && string(b[:5]) == m {
			return true
		}
	}
	return false
}

// enterHold reports whether the protocol may serve from inside a read
// callback of the socket (syscall.RawConn.Read); false once closeConn
// ran. The callback holds the socket's read lock: a Close from another
// goroutine would wait for it to return.
func (c *ServerConn) enterHold() bool { return c.hold.CompareAndSwap(holdFree, holdHeld) }

// leaveHold ends what enterHold started. It reports true when closeConn
// ran meanwhile: it only shut the socket down, and the caller must close
// the connection.
func (c *ServerConn) leaveHold() bool { return !c.hold.CompareAndSwap(holdHeld, holdFree) }

// closeConn closes the connection for Server.Close, from any goroutine,
// without waiting: a connection whose protocol serves from inside a read
// callback is shut down instead (its peer sees the end at once; its
// reads and writes fail), and the protocol closes it on its way out.
func (c *ServerConn) closeConn() {
	if c.hold.Swap(holdClosed) == holdHeld {
		shutdownSocket(c.conn)
		return
	}
	_ = c.conn.Close()
}

func (c *ServerConn) close() {
	c.mu.Lock()
	if c.closed || c.det != nil {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	c.closeProtocolPark()
	_ = c.conn.Close()
	c.srv.removeConn(c)
	c.srv.setState(c, StateClosed)
}

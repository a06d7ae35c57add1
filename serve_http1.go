package volt

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt/internal/hupwatch"
	"github.com/volthttp/volt/internal/idleread"
	"github.com/volthttp/volt/internal/park"
)

// http1Conn is the state of the HTTP/1.1 protocol on one connection. It is
// owned by the connection's goroutine; the watcher goroutine (started by
// RequestCtx.Done) only touches the watch* fields, and only between
// startWatch and stopWatch; hupwatch's goroutine only reads hupCtx, in
// PeerGone, while a watch is in force.
type http1Conn struct {
	sc   *ServerConn
	srv  *Server
	conn net.Conn

	br   connReader
	wbuf []byte // output not yet written; nil while idle
	idle *idleread.Reader

	// Parking of the idle connection (serve_http1_park.go).
	spot              *park.Spot
	spotTried         bool
	woke              bool                  // resumed from the spot: the next wait only reads
	held              bool                  // serving from inside the held wait's callback (serve_http1_held_linux.go)
	heldOut           uint8                 // how the held callback ended
	parkRearm         time.Time             // when the parkDelay read deadline in force is half gone; zero once another replaced it
	resumeFn          func()                // c.resume, made once so that parking allocates nothing
	unparkFn          func()                // c.unparkIdle, likewise
	setReadDeadlineFn func(time.Time) error // c.setReadDeadline, for br

	heldErr error                 // what ended the held callback
	heldFn  func(fd uintptr) bool // c.heldRead, made once so that holding allocates nothing

	ctx      *RequestCtx // nil while idle, but in the held wait
	ctxClean bool        // ctx was reset already for the next request

	// State of the response being written.
	headOnly   bool  // HEAD: no body on the wire
	chunked    bool  // the committed response is chunked
	rawBody    bool  // the committed response is delimited by close
	closeAfter bool  // close the connection after this response
	refused    bool  // the head had an invalid field; a 500 went out instead
	left       int64 // body bytes still owed under a Content-Length

	bodyStream  chunkedReader
	bodyLimited limitedBody
	streaming   bool // the request body is streamed to the handler
	chunkedIn   bool // the request body is chunked (bodyStream), not bodyLimited
	linger      bool // on close, drain what the client still sends (lingerClose)

	// Watcher state (see RequestCtx.Done). On Linux, hup watches the
	// socket for the client leaving (created on the first Done of the
	// connection); elsewhere, or when it cannot, a goroutine reads.
	hup          *hupwatch.Conn
	hupTried     bool
	hupCtx       *RequestCtx // the request hup watches for
	hupAhead     bool        // the next request was read ahead
	watching     bool
	watchStop    atomic.Bool
	watchDone    chan struct{}
	watchBuf     []byte // the reading watcher's buffer; kept between watches when it was swapped with br's
	watchN       int
	watchErr     error
	startWatchFn func(ctx *RequestCtx)

	raw rawWriter // writes that need no deadline (see writePieces)

	// bufs holds the head and a large body for one writev; a field, so
	// that the write allocates nothing.
	bufs    net.Buffers
	bufsArr [2][]byte

	next Protocol // the protocol a preface chose, to serve once this returns

	scanned  int       // head bytes scanned by findHeadEnd so far
	reqStart time.Time // first byte of the request, when ReadTimeout is set
}

var http1ConnPool sync.Pool

var readBufPool, writeBufPool bufPool

// serveHTTP1 serves HTTP/1.1 on sc until the connection closes, or until
// its first bytes turn out to be the preface of another protocol, which
// it returns for the caller to serve on sc, or until it is parked
// (errParked: the caller leaves sc alone; see serve_http1_park.go).
func serveHTTP1(sc *ServerConn) (Protocol, error) {
	c, _ := http1ConnPool.Get().(*http1Conn)
	if c == nil {
		c = &http1Conn{}
		c.startWatchFn = c.startWatch
		c.resumeFn, c.unparkFn = c.resume, c.unparkIdle
		c.setReadDeadlineFn = c.setReadDeadline
		c.heldFn = c.heldRead
	}
	s := sc.srv
	c.sc, c.srv, c.conn = sc, s, sc.conn
	c.br = connReader{src: sc.conn, setDL: c.setReadDeadlineFn}
	rsize := orInt(s.ReadBufferSize, DefaultReadBufferSize)
	if sc.tlsState == nil {
		c.idle = idleread.New(sc.conn,
			func() []byte { return readBufPool.get(rsize) },
			func(b []byte) { readBufPool.put(b) })
	}
	return c.run(true)
}

// run serves the connection until it closes (then c goes back to its
// pool), is parked (errParked: c belongs to the worker that resumes it),
// or turns out to speak another protocol, which it returns.
func (c *http1Conn) run(first bool) (Protocol, error) {
	sc := c.sc
	served := false
	defer func() {
		if !served {
			// A panic (recovered by ServerConn.serve or c.resume): c is
			// dropped, not pooled, but its socket watches must end.
			c.closeWatches()
		}
	}()
	err := c.serve(first)
	served = true
	if err == errParked {
		return nil, err
	}
	c.closeWatches()
	// The ctx first: closing its user values runs code that may read the
	// request, whose bytes the buffers hold.
	if c.ctx != nil {
		sc.ReleaseCtx(c.ctx)
		c.ctx = nil
	}
	c.releaseBuffers()
	next := c.next
	c.raw.reset()
	*c = http1Conn{startWatchFn: c.startWatchFn, resumeFn: c.resumeFn, unparkFn: c.unparkFn, setReadDeadlineFn: c.setReadDeadlineFn, heldFn: c.heldFn, bodyStream: c.bodyStream, raw: c.raw}
	http1ConnPool.Put(c)
	return next, err
}

// closeWatches ends the socket's registrations with hupwatch and park,
// before the connection closes.
func (c *http1Conn) closeWatches() {
	if c.hup != nil {
		c.hup.Close()
	}
	if c.spot != nil {
		c.spot.Close()
	}
}

// releaseBuffers gives the read and write buffers back to their pools.
// The request must be over: its head and body may be views of them.
func (c *http1Conn) releaseBuffers() {
	rsize := orInt(c.srv.ReadBufferSize, DefaultReadBufferSize)
	if c.watchBuf != nil && !c.watching {
		if !c.srv.ReduceMemoryUsage || cap(c.watchBuf) <= rsize {
			readBufPool.put(c.watchBuf)
		}
		c.watchBuf = nil
	}
	if c.br.buf != nil {
		if !c.srv.ReduceMemoryUsage || cap(c.br.buf) <= rsize {
			readBufPool.put(c.br.buf)
		}
		c.br.buf, c.br.r, c.br.w = nil, 0, 0
	}
	if c.wbuf != nil {
		if !c.srv.ReduceMemoryUsage || cap(c.wbuf) <= 4*orInt(c.srv.WriteBufferSize, DefaultWriteBufferSize) {
			writeBufPool.put(c.wbuf)
		}
		c.wbuf = nil
	}
}

// waitRequest waits for the next request while the connection is idle:
// pending output is flushed, the RequestCtx and (where possible) the
// buffers go back to their pools, and the connection is parked (it
// returns errParked; see park), or the read blocks until IdleTimeout.
// Resumed from parking, it only reads. Where park holds the wait, the
// requests that come meanwhile may be served in it: errHeldEnd reports
// that one of them ended the connection.
func (c *http1Conn) waitRequest(first bool) error {
	var err error
	if c.woke {
		c.woke = false
		err = c.readResumed()
	} else {
		err = errNotParked
		if !first {
			if _, err := c.goIdle(false); err != nil {
				return err
			}
			err = c.park()
		}
		if err == errNotParked {
			err = c.readIdle(first)
		}
	}
	if err == nil {
		c.sc.SetIdle(false)
	}
	return err
}

// goIdle ends the connection's last exchange: pending output is flushed,
// the RequestCtx goes back to its pool (or, with keep, is reset for the
// next request, as the held wait does), and the connection counts as
// idle. It returns the time the last request's handler started, zero if
// none was served since the ctx was last reset.
func (c *http1Conn) goIdle(keep bool) (last time.Time, err error) {
	if err := c.flush(); err != nil {
		return time.Time{}, err
	}
	if c.ctx != nil {
		if !c.ctxClean {
			last = c.ctx.time
		}
		switch {
		case !keep:
			c.sc.ReleaseCtx(c.ctx)
			c.ctx, c.ctxClean = nil, false
		case !c.ctxClean:
			c.sc.ResetCtx(c.ctx)
			c.ctxClean = true
		}
	}
	c.sc.SetIdle(true)
	return last, nil
}

// readIdle blocks until the next request's first bytes are buffered.
func (c *http1Conn) readIdle(first bool) error {
	s := c.srv
	if s.shutting.Load() {
		return ErrServerClosed
	}
	timeout := s.idleTimeout()
	if first {
		timeout = s.headerTimeout()
	}
	if err := c.setReadDeadline(deadline(timeout)); err != nil {
		return err
	}
	if c.idle != nil {
		c.releaseBuffers()
		return c.readWaiting()
	}
	if s.ReduceMemoryUsage && c.br.buf != nil {
		c.releaseBuffers()
	}
	if c.br.buf == nil {
		c.br.buf = readBufPool.get(orInt(s.ReadBufferSize, DefaultReadBufferSize))
	}
	return c.br.fill(len(c.br.buf))
}

// readWaiting waits, without a buffer, for the first bytes of the next
// request, and reads them into a buffer from the pool.
func (c *http1Conn) readWaiting() error {
	buf, n, err := c.idle.Wait()
	if buf != nil {
		c.br.buf, c.br.r, c.br.w = buf, 0, n
	}
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.EOF
	}
	return err
}

func (c *http1Conn) serve(first bool) error {
	s := c.srv
	for {
		if len(c.br.buffered()) == 0 {
			if err := c.waitRequest(first); err != nil {
				if err == errHeldEnd {
					return c.endHeld()
				}
				return err
			}
		}
		if first && len(s.prefaces) > 0 && c.sc.tlsState == nil {
			if p, err := c.detectPreface(); err != nil || p != nil {
				if p != nil {
					c.sc.pending = append([]byte(nil), c.br.buffered()...)
					c.br.discard(len(c.br.buffered()))
					// The other protocol serves once this one has given
					// its buffers back (see ServerConn.serve).
					c.next = p
					return nil
				}
				return err
			}
		}
		first = false
		c.prepareRequest()
		keep, err := c.serveRequest(c.ctx)
		if err != nil || !keep {
			return c.end(err)
		}
	}
}

// prepareRequest readies the write buffer and the RequestCtx for the
// next request.
func (c *http1Conn) prepareRequest() {
	if c.wbuf == nil {
		c.wbuf = writeBufPool.get(orInt(c.srv.WriteBufferSize, DefaultWriteBufferSize))[:0]
	}
	if c.ctx == nil {
		c.ctx = c.sc.AcquireCtx(c)
	} else if !c.ctxClean {
		c.sc.ResetCtx(c.ctx)
	}
	c.ctxClean = false
}

// end finishes a connection whose last request ended it with err: the
// output is flushed, and a client that may still be sending is given
// time to read it (lingerClose).
func (c *http1Conn) end(err error) error {
	if c.flush() == nil && (c.linger || len(c.br.buffered()) > 0) {
		c.lingerClose()
	}
	return err
}

// endHeld ends the connection after a request served in a held wait
// ended it, doing first the hijack that could not be done there.
func (c *http1Conn) endHeld() error {
	err := c.heldErr
	c.heldErr = nil
	if err == errHijackHeld {
		err = c.hijack(c.ctx)
	}
	return c.end(err)
}

// detectPreface reads until the buffered bytes match or rule out every
// registered preface.
func (c *http1Conn) detectPreface() (Protocol, error) {
	for {
		p, more := c.srv.matchPreface(c.br.buffered())
		if !more {
			return p, nil
		}
		if err := c.br.fill(max(len(c.br.buf), c.srv.maxPreface)); err != nil {
			return nil, err
		}
	}
}

// readHead reads until the buffer holds a whole request head, and parses
// it into ctx.Request.Header.
func (c *http1Conn) readHead(ctx *RequestCtx) (int, error) {
	s := c.srv
	o := &s.opts
	deadlineSet := false
	c.scanned = 0
	if s.ReadTimeout > 0 {
		c.reqStart = time.Now()
	}
	// The head usually arrives whole: parse the buffered bytes at once.
	// Only when it is incomplete, wait for its end with findHeadEnd, which
	// scans each new byte once, and parse then.
	tryParse := true
	for {
		buf := c.br.buffered()
		if tryParse {
			n, err := parseRequestHead(&ctx.Request.Header, buf, o)
			if err != errNeedMore {
				return n, err
			}
			tryParse = false
		} else if end := findHeadEnd(buf, c.scanned); end >= 0 {
			if end > o.maxHeaderBytes {
				return 0, ErrHeaderTooLarge
			}
			return parseRequestHead(&ctx.Request.Header, buf[:end], o)
		}
		c.scanned = len(buf)
		if len(buf) >= o.maxHeaderBytes {
			if bytes.IndexByte(buf, '\n') < 0 {
				return 0, ErrURITooLong
			}
			return 0, ErrHeaderTooLarge
		}
		if len(buf) > o.maxURILength+64 && bytes.IndexByte(buf, '\n') < 0 {
			return 0, ErrURITooLong
		}
		if c.held {
			return 0, errLeaveHeld // the usual loop reads the rest
		}
		if !deadlineSet {
			deadlineSet = true
			_ = c.setReadDeadline(deadline(s.headerTimeout()))
			// Responses to earlier pipelined requests go out before the
			// wait for the rest of this head.
			if err := c.flush(); err != nil {
				return 0, err
			}
		}
		if err := c.br.fill(o.maxHeaderBytes); err != nil {
			if err == errBufferFull {
				return 0, ErrHeaderTooLarge
			}
			return 0, err
		}
	}
}

// serveRequest reads, handles and writes one request. It reports whether
// the connection may serve another.
func (c *http1Conn) serveRequest(ctx *RequestCtx) (keep bool, err error) {
	s := c.srv
	req := &ctx.Request
	n, err := c.readHead(ctx)
	if err != nil {
		if err == errLeaveHeld {
			return false, err
		}
		return false, c.failHead(ctx, err)
	}
	if err := req.parseURI(); err != nil {
		c.br.discard(n)
		return false, c.fail(ctx, err)
	}
	c.headOnly = req.Header.IsHead()
	c.closeAfter = req.Header.ConnectionClose() || s.DisableKeepalive ||
		(s.MaxRequestsPerConn > 0 && c.sc.reqs.Load()+1 >= uint64(s.MaxRequestsPerConn))
	c.chunked, c.rawBody, c.streaming = false, false, false
	if c.held && req.Header.connUpgrade {
		return false, errLeaveHeld // an upgrade reads the connection
	}
	if err := c.readBody(ctx, n); err != nil {
		if err == errLeaveHeld {
			return false, err
		}
		return false, c.fail(ctx, err)
	}

	if p, tok := s.upgradeFor(&req.Header); p != nil && !c.streaming {
		return false, c.switchProtocols(ctx, p, tok)
	}
	c.sc.SetWatchHook(c.startWatchFn)
	ok := c.sc.Handle(ctx)
	c.sc.SetWatchHook(nil)
	c.stopWatch()
	if !ok {
		c.closeAfter = true
		if ctx.sent {
			// The handler panicked after part of the response went out:
			// close without ending the body, so that the client sees it
			// is truncated rather than complete.
			_ = c.flush()
			return false, errHandlerPanic
		}
	}
	drained := true
	if c.streaming && !c.drainBody(ctx) {
		c.closeAfter = true
		c.linger = true // the rest of the body may be on its way
		drained = false
	}
	if s.shutting.Load() || ctx.Response.Header.ConnectionClose() {
		c.closeAfter = true
	}
	if ctx.hijack != nil && !ctx.sent {
		if drained {
			if c.held {
				return false, errHijackHeld // done once the held wait ended
			}
			return false, c.hijack(ctx)
		}
		// The rest of the request body is still on the wire: handed
		// over, it would read as the start of the hijacked stream. The
		// hijack is refused; the response goes out and the connection
		// closes.
		ctx.hijack = nil
	}
	if err := c.finishResponse(ctx); err != nil {
		return false, err
	}
	return !c.closeAfter, nil
}

// failHead answers a request whose head could not be read.
func (c *http1Conn) failHead(ctx *RequestCtx, err error) error {
	if errors.Is(err, io.EOF) && len(c.br.buffered()) == 0 {
		return nil // the client closed between requests
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		if len(c.br.buffered()) == 0 {
			return nil // idle timeout
		}
		ctx.Response.Header.SetStatusCode(StatusRequestTimeout)
		return c.writeError(ctx, err)
	}
	if err == io.EOF || err == ErrUnexpectedEOF || isConnError(err) {
		return nil
	}
	if c.notHTTP1(err) {
		return nil
	}
	return c.fail(ctx, err)
}

// notHTTP1 reports whether the first bytes of a cleartext connection, on
// a server that also speaks a protocol announced by a preface (HTTP/2),
// were neither HTTP/1 nor that preface: the first line does not end in
// an HTTP version. The connection is then closed without an HTTP/1.1
// answer, which the peer could not read (RFC 9113 section 3.4 has an
// HTTP/2 server close on an invalid preface).
func (c *http1Conn) notHTTP1(err error) bool {
	var pe *ParseError
	if len(c.srv.prefaces) == 0 || c.sc.tlsState != nil || c.sc.reqs.Load() != 0 || !errors.As(err, &pe) {
		return false
	}
	return pe.Reason == "malformed HTTP version" || pe.Reason == "malformed request line"
}

// fail answers a request the server rejects, and closes the connection.
func (c *http1Conn) fail(ctx *RequestCtx, err error) error {
	ctx.Response.Header.SetStatusCode(statusForError(err))
	return c.writeError(ctx, err)
}

func (c *http1Conn) writeError(ctx *RequestCtx, err error) error {
	ctx.time = time.Now() // for Date: no handler ran to set it
	code := ctx.Response.Header.StatusCode()
	ctx.Error(StatusMessage(code), code)
	if c.srv.ErrorHandler != nil {
		c.srv.ErrorHandler(ctx, err)
	}
	c.closeAfter = true
	c.headOnly = false
	if err := c.finishResponse(ctx); err != nil {
		return err
	}
	if err2 := c.flush(); err2 != nil {
		return err2
	}
	c.linger = true // the client may still be sending the request
	return err
}

// Bounds of lingerClose.
const (
	lingerMaxBytes = 256 << 10
	lingerTimeout  = time.Second
)

// lingerClose prepares the close of a connection whose client may still
// be sending (a rejected body, unread pipelined requests): closing a
// socket with unread data sends a reset, which can destroy the answer
// before the client reads it. So the write side is shut down (the client
// gets a FIN after the answer), and what the client sends is read and
// discarded, up to lingerMaxBytes or lingerTimeout, or until it closes.
// Only TCP and Unix connections can half-close; others close at once.
func (c *http1Conn) lingerClose() {
	var err error
	switch nc := c.conn.(type) {
	case *net.TCPConn:
		err = nc.CloseWrite()
	case *net.UnixConn:
		err = nc.CloseWrite()
	default:
		return
	}
	if err != nil {
		return
	}
	c.br.discard(len(c.br.buffered()))
	buf := c.br.buf
	if len(buf) == 0 {
		buf = readBufPool.get(orInt(c.srv.ReadBufferSize, DefaultReadBufferSize))
		c.br.buf = buf // given back by releaseBuffers
	}
	_ = c.setReadDeadline(time.Now().Add(lingerTimeout))
	for n := 0; n < lingerMaxBytes; {
		m, err := c.conn.Read(buf)
		n += m
		if err != nil {
			return
		}
	}
}

func isConnError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) || errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded)
}

// statusForError maps a parse or limit error to its status code.
func statusForError(err error) int {
	switch err {
	case ErrHeaderTooLarge, ErrTooManyHeaders:
		return StatusRequestHeaderFieldsTooLarge
	case ErrURITooLong:
		return StatusRequestURITooLong
	case ErrBodyTooLarge:
		return StatusRequestEntityTooLarge
	case ErrUnsupportedVersion:
		return StatusHTTPVersionNotSupported
	case ErrUnsupportedTransferCoding:
		return StatusNotImplemented
	case errExpectationFailed:
		return StatusExpectationFailed
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return StatusRequestTimeout
	}
	return StatusBadRequest
}

var (
	errExpectationFailed = errors.New("volt: expectation failed")
	errHandlerPanic      = errors.New("volt: handler panicked")
)

// hijack writes the response, then hands the connection to the hijack
// handler.
func (c *http1Conn) hijack(ctx *RequestCtx) error {
	c.closeAfter = false
	if err := c.writeHijackHead(ctx); err != nil {
		return err
	}
	if err := c.flush(); err != nil {
		return err
	}
	s := c.srv
	s.stats.hijacked.Add(1)
	defer s.stats.hijacked.Add(-1)
	s.setState(c.sc, StateHijacked)
	c.parkRearm = time.Time{}
	_ = c.conn.SetDeadline(time.Time{})
	// Hand over the connection itself when nothing was read ahead, so that
	// the handler keeps its optional interfaces (writev through
	// net.Buffers, CloseWrite, ReadFrom).
	var hc net.Conn = c.conn
	if pending := c.br.buffered(); len(pending) > 0 {
		hc = &hijackedConn{Conn: c.conn, pending: append([]byte(nil), pending...)}
		c.br.discard(len(pending))
	}
	// The request stays valid until h returns. Its head and body are
	// copied out so that the read buffers need not live as long as the
	// connection, but they are left to the garbage collector, not pooled:
	// slices the handler took (kept in user values, say) may view them.
	ctx.Request.Header.detach()
	ctx.Request.ownBody()
	c.br.buf, c.br.r, c.br.w = nil, 0, 0
	c.watchBuf = nil
	if c.wbuf != nil {
		writeBufPool.put(c.wbuf)
		c.wbuf = nil
	}
	h := ctx.hijack
	c.sc.watch(ctx) // Shutdown cancels the context of a hijacked connection
	defer func() {
		if r := recover(); r != nil {
			s.logger().Error("volt: hijack handler panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if ctx.detached != nil {
		c.detach(ctx, hc)
		return nil
	}
	h(hc)
	return nil
}

// hijackedConn is the net.Conn given to a HijackHandler: reads return the
// bytes the server read ahead first.
type hijackedConn struct {
	net.Conn
	pending []byte
}

func (c *hijackedConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// startWatch is the watch hook: it starts reading the connection in the
// background so that a client going away cancels ctx. It runs under the
// ServerConn's lock, so stopWatch (after SetWatchHook(nil)) never races it.
func (c *http1Conn) startWatch(ctx *RequestCtx) {
	if c.watching {
		return
	}
	if !c.hupTried {
		c.hupTried = true
		c.hup = hupwatch.NewConn(c.conn)
	}
	if c.hup != nil {
		c.hupCtx = ctx
		// Bytes buffered beyond the request: a pipelined request. A
		// streamed body's reader may be using the buffer on another
		// goroutine; what it holds then is the body, not beyond.
		c.hupAhead = !c.streaming && len(c.br.buffered()) > 0
		if c.hup.Watch(c) {
			c.watching = true
			c.watchActive(1)
			return
		}
		c.hupCtx = nil
	}
	if c.streaming || c.held {
		// The handler reads the connection, or the held wait holds its
		// read side (serve_http1_held_linux.go).
		return
	}
	c.watching = true
	c.watchActive(1)
	c.watchStop.Store(false)
	c.watchDone = make(chan struct{})
	if c.watchBuf == nil {
		c.watchBuf = readBufPool.get(orInt(c.srv.ReadBufferSize, DefaultReadBufferSize))
	}
	_ = c.setReadDeadline(time.Time{})
	go c.watch(ctx)
}

func (c *http1Conn) watch(ctx *RequestCtx) {
	n, err := c.conn.Read(c.watchBuf)
	c.watchN, c.watchErr = n, err
	if th := hooks(); th != nil && th.watchRead != nil {
		th.watchRead(n)
	}
	if n == 0 && err != nil && !c.watchStop.Load() {
		ctx.Cancel(ErrClientGone)
	}
	close(c.watchDone)
}

// PeerGone is hupwatch's report that the client closed or reset the
// connection while a handler runs: it cancels the request, unless the
// client sent more first (a pipelined request, read ahead or still in the
// socket, then a half-close), which the server will read and answer. Over TLS the unread bytes are most
// likely the close_notify alert, so the request is cancelled.
func (c *http1Conn) PeerGone() {
	if c.sc.tlsState == nil && (c.hupAhead || c.hup.Pending() > 0) {
		return
	}
	c.hupCtx.Cancel(ErrClientGone)
}

// stopWatch stops the watcher and keeps what it read: the start of the
// next pipelined request, after the bytes read ahead already. The
// request's head and body may still be views of the read buffer (the
// response is not written yet; a hijack handler gets the request), so the
// watcher's bytes never overwrite them: they go after the unread bytes,
// or, when nothing is unread (the buffer's start holds the request), the
// two buffers swap and the read buffer waits as the next watch's buffer.
func (c *http1Conn) stopWatch() {
	if !c.watching {
		return
	}
	if c.hupCtx != nil {
		c.hup.Unwatch()
		c.hupCtx, c.watching = nil, false
		c.watchActive(-1)
		return
	}
	c.watchStop.Store(true)
	_ = c.setReadDeadline(aLongTimeAgo)
	<-c.watchDone
	_ = c.setReadDeadline(time.Time{})
	keep := false
	if c.watchN > 0 {
		if len(c.br.buffered()) == 0 {
			c.br.buf, c.watchBuf = c.watchBuf, c.br.buf
			c.br.r, c.br.w = 0, c.watchN
			keep = c.watchBuf != nil
		} else {
			c.br.appendBytes(c.watchBuf[:c.watchN])
		}
	} else if c.watchErr != nil && !errors.Is(c.watchErr, os.ErrDeadlineExceeded) {
		c.closeAfter = true // the client is gone
	}
	if !keep {
		readBufPool.put(c.watchBuf)
		c.watchBuf = nil
	}
	c.watchN, c.watchErr, c.watching = 0, nil, false
	c.watchActive(-1)
}

// watchActive reports a watcher starting or stopping to the test hook.
func (c *http1Conn) watchActive(delta int) {
	if th := hooks(); th != nil && th.watchActive != nil {
		th.watchActive(delta)
	}
}

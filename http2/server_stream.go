package http2

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
)

// stream is one request and its response on a serverConn.
//
// The reader creates it when the request's HEADERS arrive; a handler
// goroutine then runs with it. Fields marked "reader" are the reader's;
// the others are guarded by cc.mu, except req, pseudo and cookie, which
// are filled by the reader before the handler starts and not touched
// after. A stream goes back to its pool when it is closed (removed from
// cc.streams) and its handler returned, whichever comes last.
type stream struct {
	cc *serverConn
	id uint32

	ctx        *volt.RequestCtx
	runFn      func()
	addFieldFn func(f hpackField) error

	// reader, while the head is decoded
	req    reqState
	pseudo []byte
	cookie []byte

	// Receiving (guarded by cc.mu).
	recvAvail    int64 // window left to the client
	recvCredit   int64 // consumed, not yet given back
	bodyLeft     int64 // Content-Length not yet received; -1: none announced
	remoteClosed bool  // END_STREAM received (half-closed remote)
	remoteReset  bool  // the client sent RST_STREAM
	streaming    bool  // the handler reads the body as it arrives
	dispatched   bool  // the handler was started
	body         pipe  // the streamed body
	reject       int   // a status to answer without the handler
	headOnly     bool
	refused      bool // the head was invalid; a 500 went out instead
	tunnel       bool // CONNECT: the body is a stream both ways, never buffered

	// Sending (guarded by cc.mu).
	sendWindow   int64
	out          []byte // body bytes waiting to be framed (the handler's)
	outEnd       bool   // END_STREAM after out
	trailers     *volt.ResponseHeader
	queued       bool
	inflight     int // payloads of this stream in a write under way
	headSent     bool
	endSent      bool
	urgency      uint8
	incremental  bool
	reset        bool  // RST_STREAM sent or received: nothing more goes out
	err          error // why the stream ended early
	running      bool  // the handler runs
	closed       bool  // removed from cc.streams
	lingering    bool  // closed while its handler runs (counted in cc.lingering)
	declaredSize int64 // Content-Length of the response, -1 if none
	sentBody     int64

	wake  chan struct{} // signalled when out drains, a window grows or the stream ends
	timer *time.Timer
}

// hpackField is the decoder's field type, named here for the callbacks.
type hpackField = hpackHeaderField

var streamPool sync.Pool

// acquireStream returns a pooled stream with a fresh RequestCtx.
func acquireStream(cc *serverConn, id uint32) *stream {
	st, _ := streamPool.Get().(*stream)
	if st == nil {
		st = &stream{wake: make(chan struct{}, 1)}
		st.runFn = st.run
		st.addFieldFn = st.addField
	}
	st.cc, st.id = cc, id
	st.ctx = cc.sc.AcquireCtx(st)
	st.recvAvail = int64(cc.srv.initialWindowSize())
	if !cc.settingsAck {
		st.recvAvail = max(st.recvAvail, DefaultInitialWindowSize)
	}
	st.bodyLeft = -1
	st.declaredSize = -1
	st.urgency = defaultUrgency
	return st
}

// free gives back a stream that never reached the handler, or whose
// handler returned and which is closed.
func (st *stream) free() {
	if debugChecks && (st.queued || st.inflight != 0 || st.running) {
		panic("http2: stream freed while in use")
	}
	if st.ctx != nil {
		st.cc.sc.ReleaseCtx(st.ctx)
	}
	select {
	case <-st.wake:
	default:
	}
	if st.timer != nil {
		st.timer.Stop()
	}
	clear(st.body.trailers)
	if st.body.timer != nil {
		st.body.timer.Stop()
	}
	select {
	case <-st.body.wake:
	default:
	}
	*st = stream{
		wake: st.wake, timer: st.timer, runFn: st.runFn,
		addFieldFn: st.addFieldFn,
		pseudo:     st.pseudo[:0], cookie: st.cookie[:0], body: pipe{buf: st.body.buf[:0], trailers: st.body.trailers[:0], wake: st.body.wake, timer: st.body.timer},
	}
	streamPool.Put(st)
}

// signal wakes the stream's handler if it waits.
func (st *stream) signal() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// abort ends the stream early: nothing more is sent, the handler's
// context is cancelled, and its reads and writes fail with err. cc.mu is
// held.
func (st *stream) abort(err error) {
	if st.err == nil {
		st.err = err
	}
	st.reset = true
	st.out = nil
	if st.ctx != nil {
		st.ctx.Cancel(err)
	}
	st.body.closeWithError(err)
	st.signal()
}

// closeStream removes st from the connection's streams. cc.mu is held.
func (cc *serverConn) closeStream(st *stream) {
	if st.closed {
		return
	}
	st.closed = true
	delete(cc.streams, st.id)
	cc.dequeue(st)
	if st.running && st.endSent && st.remoteClosed && !st.reset && !st.remoteReset {
		// Complete both ways: closed for the protocol, so no longer
		// counted against MaxConcurrentStreams, though its handler is
		// still returning. (A reset stream whose handler runs on still
		// counts: its handler may run long, and resets are cheap to send.)
		st.lingering = true
		cc.lingering++
	}
	cc.maybeFree(st)
}

// maybeFree frees st once it is closed and its handler returned. cc.mu
// is held.
func (cc *serverConn) maybeFree(st *stream) {
	if !st.closed || st.running {
		return
	}
	if st.lingering {
		cc.lingering--
	}
	cc.active--
	if debugChecks && cc.active < 0 {
		panic("http2: negative stream count")
	}
	cc.sc.AddStreams(-1)
	st.free()
	if cc.active == 0 && !cc.closed {
		// The reader may wait for frames holding its buffers: it wakes
		// soon to give them back if none come (prepareRead).
		_ = cc.conn.SetReadDeadline(time.Now().Add(idleRecheck))
	}
}

// resetStream sends RST_STREAM for id and ends the stream (section 5.4.2).
func (cc *serverConn) resetStream(id uint32, code ErrCode) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	_ = cc.resetLocked(id, code, errStreamReset)
}

// resetLocked sends RST_STREAM and aborts the stream with err. cc.mu is
// held: a handler that sees err cannot answer before the reset is queued.
// It fails with errFlood when the client lets control frames pile up.
func (cc *serverConn) resetLocked(id uint32, code ErrCode, err error) error {
	if qerr := cc.queueControl(); qerr != nil {
		return qerr
	}
	cc.appendRST(id, code)
	if st := cc.streams[id]; st != nil {
		st.abort(err)
		cc.closeStream(st)
	}
	return nil
}

// startBody prepares the stream for its request body: the handler starts
// now if the server streams bodies, else when the body is complete.
func (cc *serverConn) startBody(st *stream) error {
	h := &st.ctx.Request.Header
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if st.reject == 0 && h.ExpectContinue() {
		if ch := cc.sc.Server().ContinueHandler; ch != nil && !ch(h) {
			st.reject = volt.StatusExpectationFailed
		} else {
			cc.appendInterim(st, volt.StatusContinue, nil)
		}
	}
	limit := cc.limits.MaxRequestBodySize
	if st.reject == 0 && !st.tunnel && limit >= 0 && st.bodyLeft > limit {
		st.reject = volt.StatusRequestEntityTooLarge
	}
	if st.reject != 0 {
		cc.dispatch(st)
		return nil
	}
	if cc.sc.Server().StreamRequestBody || st.tunnel {
		st.streaming = true
		st.body.init(st)
		st.ctx.Request.SetBodyStream(&st.body, st.bodyLeft)
		cc.dispatch(st)
	}
	return nil
}

// receiveData takes the payload of a DATA frame (n bytes of window,
// padding included). cc.mu is held.
func (st *stream) receiveData(data []byte, n int64, end bool) error {
	cc := st.cc
	if st.bodyLeft >= 0 {
		if int64(len(data)) > st.bodyLeft {
			cc.credit(st, n)
			return StreamError{StreamID: st.id, Code: ErrCodeProtocol, Cause: errContentLength}
		}
		st.bodyLeft -= int64(len(data))
	}
	switch {
	case st.dispatched && !st.streaming, st.reset:
		// The handler answered without the body (a rejection); the
		// rest is dropped.
		cc.credit(st, n)
	case st.streaming:
		if limit := cc.limits.MaxRequestBodySize; !st.tunnel && limit >= 0 && st.body.total+int64(len(data)) > limit {
			// The reset is queued before the handler can see the error
			// and answer: the client gets CANCEL, not a response
			// followed by NO_ERROR.
			cc.credit(st, n)
			return cc.resetLocked(st.id, ErrCodeCancel, volt.ErrBodyTooLarge)
		}
		// The data's window comes back as the handler reads it; the
		// padding's now.
		st.body.write(data)
		cc.credit(nil, n-int64(len(data)))
	default:
		req := &st.ctx.Request
		if limit := cc.limits.MaxRequestBodySize; limit >= 0 && int64(len(req.Body()))+int64(len(data)) > limit {
			st.reject = volt.StatusRequestEntityTooLarge
			cc.credit(st, n)
			cc.dispatch(st)
			return nil
		}
		req.AppendBody(data)
		cc.credit(st, n)
	}
	return nil
}

// endRemote handles END_STREAM from the client: the request is complete.
// cc.mu is held.
func (cc *serverConn) endRemote(st *stream) error {
	st.remoteClosed = true
	if st.bodyLeft > 0 {
		st.abort(errContentLength)
		if err := cc.queueControl(); err == nil {
			cc.appendRST(st.id, ErrCodeProtocol)
		}
		cc.closeStream(st)
		return nil
	}
	if st.streaming {
		st.body.closeWithError(nil)
	}
	if !st.dispatched {
		cc.dispatch(st)
	}
	if st.endSent {
		cc.closeStream(st)
	}
	return nil
}

// dispatch starts the stream's handler on a pooled goroutine. cc.mu is
// held.
func (cc *serverConn) dispatch(st *stream) {
	st.dispatched = true
	st.running = true
	cc.running++
	cc.sc.Go(st.runFn)
}

// run serves the stream's request on a handler goroutine.
func (st *stream) run() {
	cc := st.cc
	ctx := st.ctx
	defer func() {
		if r := recover(); r != nil {
			logger(cc).Error("volt: http2 stream panic", "panic", r, "stack", string(debug.Stack()))
			cc.resetStream(st.id, ErrCodeInternal)
		}
		st.handlerDone()
	}()
	if st.reject != 0 {
		ctx.Error(volt.StatusMessage(st.reject), st.reject)
	} else if !cc.sc.Handle(ctx) && ctx.HeadSent() {
		// The handler panicked after the head went out: the client
		// must see the response cut short.
		cc.resetStream(st.id, ErrCodeInternal)
		return
	}
	if st.isTunnel(ctx) && cc.sc.PrepareResponse(ctx) {
		st.serveTunnel(ctx, cc.sc.TakeHijack(ctx))
		return
	}
	if ctx.Hijacked() {
		logger(cc).Error("volt: http2 stream hijacked", "error", ErrHijackUnsupported,
			"uri", string(ctx.Request.Header.RequestURI()))
		ctx.Response.Reset()
		ctx.Error(volt.StatusMessage(volt.StatusInternalServerError), volt.StatusInternalServerError)
	}
	_ = st.finish(ctx)
}

// handlerDoneHook, set by tests only, runs as a handler returns, before
// its stream is counted out: it lets a test hold a stream in the state
// "closed, handler not returned yet".
var handlerDoneHook atomic.Pointer[func()]

// handlerDone marks the handler returned, releases its context and, if
// the stream is closed, the stream. Once running is cleared the
// connection may end and be pooled (waitHandlers), so everything that
// touches cc happens before.
func (st *stream) handlerDone() {
	if h := handlerDoneHook.Load(); h != nil {
		(*h)()
	}
	cc := st.cc
	cc.mu.Lock()
	ctx := st.ctx
	st.ctx = nil // the reader must not cancel a released ctx
	if !st.endSent && !st.reset {
		// The handler returned without ending its response (a write
		// failed): the stream is reset.
		if cc.queueControl() == nil {
			cc.appendRST(st.id, ErrCodeInternal)
		}
		st.reset = true
	}
	if (st.endSent || st.reset) && !st.closed && !st.remoteClosed && !st.remoteReset && !st.reset {
		// The response is complete before the request: the client may
		// stop sending (section 8.1).
		if cc.queueControl() == nil {
			cc.appendRST(st.id, ErrCodeNo)
		}
	}
	cc.mu.Unlock()
	cc.sc.ReleaseCtx(ctx)
	cc.flushControl()
	cc.mu.Lock()
	st.running = false
	cc.running--
	if (st.endSent || st.reset) && !st.closed {
		cc.closeStream(st)
	} else {
		cc.maybeFree(st)
	}
	cc.mu.Unlock()
}

// debugChecks turns on internal consistency checks (tests set it).
var debugChecks = false

// appendRST queues RST_STREAM for id and remembers id, so that the frames
// the client sent before it learnt of the reset are ignored (RFC 9113
// section 5.4.2). cc.mu is held.
func (cc *serverConn) appendRST(id uint32, code ErrCode) {
	cc.wbuf = AppendRSTStream(cc.wbuf, id, code)
	cc.resetIDs[int(cc.resetNext)%len(cc.resetIDs)] = id
	cc.resetNext++
}

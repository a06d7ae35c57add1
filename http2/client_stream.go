package http2

import (
	"context"
	"sync"
	"time"

	"github.com/volthttp/volt"
)

// clientStream is the state of one request of a ClientConn. It is pooled:
// its channels and timer are reused, so that a request on an established
// connection does not allocate.
type clientStream struct {
	id   uint32
	resp *volt.Response

	done  chan struct{} // receives once when the stream is finished
	wake  chan struct{} // a window may have grown, or the stream finished
	timer *time.Timer   // bounds waits for window

	err           error
	finished      bool // done was sent; the stream left cc.streams
	respDone      bool // the whole response arrived
	gotHead       bool // the final response head arrived
	sending       bool // request body or trailers not all queued
	isHead        bool
	noBody        bool // HEAD, 204 or 304: content-length says nothing of DATA
	interim       int
	contentLength int64 // -1 if none
	received      int64
	sendWindow    int64
	recvAvail     int64
	recvCredit    int64
}

var clientStreamPool = sync.Pool{New: func() any {
	return &clientStream{done: make(chan struct{}, 1), wake: make(chan struct{}, 1)}
}}

func acquireClientStream(resp *volt.Response) *clientStream {
	st := clientStreamPool.Get().(*clientStream)
	st.resp = resp
	st.contentLength = -1
	return st
}

func releaseClientStream(st *clientStream) {
	select {
	case <-st.wake:
	default:
	}
	*st = clientStream{done: st.done, wake: st.wake, timer: st.timer}
	clientStreamPool.Put(st)
}

// finishLocked ends st (cc.mu held): it leaves the connection's streams
// with err (nil: the response is complete) and its Do call is woken.
func (st *clientStream) finishLocked(cc *ClientConn, id uint32, err error) {
	if st.finished {
		return
	}
	st.finished = true
	st.err = err
	delete(cc.streams, id)
	st.wakeSender()
	st.done <- struct{}{} // last: the Do call may release st at once
}

// wakeSender wakes the goroutine waiting for window, if any.
func (st *clientStream) wakeSender() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// Do sends req and reads the whole response into resp, like
// volt.HostClient.Do. It is safe for concurrent use: each call is one
// stream. See DoCtx for the errors.
func (cc *ClientConn) Do(req *volt.Request, resp *volt.Response) error {
	return cc.DoCtx(context.Background(), req, resp)
}

// DoCtx is Do bounded by ctx: when ctx ends first, the stream is reset
// with RST_STREAM CANCEL (the connection stays usable) and ctx.Err() is
// returned.
//
// The request body is req.Body() (a body stream is read whole first).
// Errors: volt.ErrInvalidHeaderField when a field could not be sent
// (nothing is sent); ErrNoStreamAvailable when the connection has no
// stream to spare now; an error matching ErrStreamUnprocessed when the
// server did not process the stream (GOAWAY, REFUSED_STREAM): both may be
// retried on another connection. Other failures are a StreamError, a
// ConnectionError, a GoAwayError, volt.ErrBodyTooLarge, ErrClientConnClosed
// or the network's error.
func (cc *ClientConn) DoCtx(ctx context.Context, req *volt.Request, resp *volt.Response) error {
	resp.Reset()
	host, path, err := checkRequest(req)
	if err != nil {
		return err
	}
	body := req.Body()
	trailers := hasTrailers(req)
	st := acquireClientStream(resp)
	st.isHead = req.Header.IsHead()

	cc.mu.Lock()
	if err := cc.openLocked(st); err != nil {
		cc.mu.Unlock()
		releaseClientStream(st)
		return err
	}
	end := len(body) == 0 && !trailers
	cc.hbuf = cc.appendRequestBlock(cc.hbuf[:0], req, host, path, len(body))
	cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, end, cc.hbuf, cc.peerMaxFrame)
	st.sending = !end
	_ = cc.flushLocked() // a failure finishes st
	if st.sending {
		cc.sendBodyLocked(ctx, st, body, req)
	}
	cc.mu.Unlock()

	select {
	case <-st.done:
	case <-ctx.Done():
		cc.mu.Lock()
		if !st.finished {
			cc.resetLocked(st.id, ErrCodeCancel, ctx.Err())
			_ = cc.flushLocked()
		}
		cc.mu.Unlock()
		<-st.done
	}
	err = st.err
	releaseClientStream(st)
	if err != nil {
		resp.ResetBody()
	}
	return err
}

// openLocked gives st the next stream identifier, or returns why not.
func (cc *ClientConn) openLocked(st *clientStream) error {
	switch {
	case cc.err != nil:
		return cc.err
	case cc.goAway != nil:
		return unprocessedError{*cc.goAway}
	case uint32(len(cc.streams)) >= cc.maxStreams || cc.nextID > MaxStreamID:
		return ErrNoStreamAvailable
	}
	st.id = cc.nextID
	cc.nextID += 2
	st.sendWindow = cc.peerWindow
	st.recvAvail = cc.streamWindow
	cc.streams[st.id] = st
	return nil
}

// sendBodyLocked queues the request body in DATA frames as the server's
// windows allow, then the trailers (cc.mu held; released while waiting).
// A failure resets and finishes st.
func (cc *ClientConn) sendBodyLocked(ctx context.Context, st *clientStream, body []byte, req *volt.Request) {
	trailers := hasTrailers(req)
	for len(body) > 0 {
		if st.finished {
			return
		}
		n := min(int64(len(body)), cc.sendWindow, st.sendWindow, maxClientChunk)
		if n <= 0 {
			if err := cc.waitWindowLocked(ctx, st); err != nil {
				cc.resetLocked(st.id, ErrCodeCancel, err)
				_ = cc.flushLocked()
				return
			}
			continue
		}
		chunk := body[:n]
		body = body[n:]
		cc.sendWindow -= n
		st.sendWindow -= n
		end := len(body) == 0 && !trailers
		for len(chunk) > 0 {
			m := min(len(chunk), int(cc.peerMaxFrame))
			cc.wbuf = AppendData(cc.wbuf, st.id, end && m == len(chunk), chunk[:m])
			chunk = chunk[m:]
		}
		_ = cc.flushLocked()
	}
	if st.finished {
		return
	}
	if trailers {
		cc.hbuf = cc.appendTrailerBlock(cc.hbuf[:0], req)
		cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, true, cc.hbuf, cc.peerMaxFrame)
	}
	st.sending = false
	_ = cc.flushLocked()
}

// waitWindowLocked waits until a window may have grown, for at most
// WriteTimeout (cc.mu held, released while waiting).
func (cc *ClientConn) waitWindowLocked(ctx context.Context, st *clientStream) error {
	connWait := cc.sendWindow <= 0
	if connWait {
		cc.windowWaiters++
	}
	if st.timer == nil {
		st.timer = time.NewTimer(cc.writeTimeout)
	} else {
		st.timer.Reset(cc.writeTimeout)
	}
	cc.mu.Unlock()
	var err error
	select {
	case <-st.wake:
	case <-st.timer.C:
		err = StreamError{StreamID: st.id, Code: ErrCodeCancel, Cause: errClientWriteTimeout}
	case <-ctx.Done():
		err = ctx.Err()
	}
	st.timer.Stop()
	cc.mu.Lock()
	if connWait {
		cc.windowWaiters--
	}
	return err
}

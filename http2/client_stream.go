package http2

import (
	"context"
	"io"
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
	body *clientBody // the body read as it arrives (StreamBody, tunnels), or nil

	done  chan struct{} // receives once when the stream is finished
	wake  chan struct{} // a window may have grown, the head arrived, or the stream finished
	timer *time.Timer   // bounds waits for window, and the call's deadline

	err       error
	finished  bool // done was sent; the stream left cc.streams
	respDone  bool // the whole response arrived
	gotHead   bool // the final response head arrived
	sending   bool // request body or trailers not all queued
	isHead    bool
	noBody    bool // HEAD, 204 or 304: content-length says nothing of DATA
	firstByte bool // a HEADERS frame of the stream arrived
	// The trace's hooks keep their order: GotFirstResponseByte comes
	// after WroteRequest even when the answer arrives first.
	wroteReported    bool // WroteRequest was called
	firstBytePending bool // the answer arrived before: the sender reports it
	tunnel           bool // a CONNECT stream (not pooled)
	tunnelOpen       bool // the tunnel was accepted (2xx): DATA flows both ways
	interim          int
	contentLength    int64 // -1 if none
	received         int64
	sendWindow       int64
	recvAvail        int64
	recvCredit       int64
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

// releaseClientStream returns a finished stream to the pool.
func releaseClientStream(st *clientStream) {
	select {
	case <-st.wake:
	default:
	}
	select {
	case <-st.done:
	default:
	}
	*st = clientStream{done: st.done, wake: st.wake, timer: st.timer}
	clientStreamPool.Put(st)
}

// finishLocked ends st (cc.mu held): it leaves the connection's streams
// with err (nil: the response is complete), its body reader gets the end,
// and its caller is woken.
func (st *clientStream) finishLocked(cc *ClientConn, id uint32, err error) {
	if st.finished {
		return
	}
	st.finished = true
	st.err = err
	delete(cc.streams, id)
	if st.body != nil {
		st.body.endLocked(err)
	}
	st.wakeSender()
	st.done <- struct{}{} // last: the caller may release st at once
}

// wakeSender wakes the goroutine waiting for window or for the head, if
// any.
func (st *clientStream) wakeSender() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// Do sends req and reads the whole response into resp, like
// volt.HostClient.Do. It is safe for concurrent use: each call is one
// stream. See RoundTrip for the errors.
func (cc *ClientConn) Do(req *volt.Request, resp *volt.Response) error {
	return cc.RoundTrip(context.Background(), req, resp, volt.MuxRoundTrip{})
}

// DoCtx is Do bounded by ctx: when ctx ends first, the stream is reset
// with RST_STREAM CANCEL (the connection stays usable) and ctx.Err() is
// returned.
func (cc *ClientConn) DoCtx(ctx context.Context, req *volt.Request, resp *volt.Response) error {
	return cc.RoundTrip(ctx, req, resp, volt.MuxRoundTrip{})
}

// RoundTrip sends req on a new stream and reads the response into resp
// (volt.MuxConn). When ctx ends first the stream is reset with
// RST_STREAM CANCEL and ctx.Err() is returned; past o.Deadline it is
// reset the same way and volt.ErrTimeout is returned; the connection
// stays usable in both cases.
//
// The request body is req.Body(), or the body stream set by
// req.SetBodyStream: that one is sent as it is read, in DATA frames as
// the server's windows allow (content-length is sent when its size is
// known; a stream shorter than its size resets the stream), then the
// trailers; it is closed afterwards if it is an io.Closer.
//
// With o.StreamBody, RoundTrip returns once the final response head
// arrived, and resp.BodyStream() reads the body as it arrives (see
// volt.MuxRoundTrip). The stream's receive window, and the connection's,
// are given back as the body is read, so a connection holds at most its
// receive window of unread bytes and a reader that does not read stops
// the server's stream. Reads return io.EOF at the end (the trailers are
// then in resp.Header), a StreamError when the server reset the stream,
// volt.ErrBodyTooLarge past MaxResponseBodySize, io.ErrUnexpectedEOF when
// the connection ended first, ctx.Err() when ctx ended first (the stream
// is reset). Closing the body before its end resets the stream with
// CANCEL. o.BodyDone is called once. A body stream of the request is read
// by the calling goroutine; a Read that blocks is not interrupted by ctx.
//
// Errors: volt.ErrInvalidHeaderField when a field could not be sent
// (nothing is sent); ErrNoStreamAvailable when the connection has no
// stream to spare now; an error matching ErrStreamUnprocessed when the
// server did not process the stream (GOAWAY, REFUSED_STREAM): these three
// match volt.ErrRequestUnprocessed too and may be retried on another
// connection (unless the body stream was sent). Other failures are a
// StreamError, a ConnectionError, a GoAwayError, volt.ErrBodyTooLarge,
// ErrClientConnClosed or the network's error. A CONNECT request goes
// through Tunnel.
func (cc *ClientConn) RoundTrip(ctx context.Context, req *volt.Request, resp *volt.Response, o volt.MuxRoundTrip) error {
	resp.Reset()
	host, path, err := checkRequest(req)
	if err != nil {
		return roundTripFailed(o, err)
	}
	var body *clientBody
	if o.StreamBody {
		body = newClientBody(cc, resp, o.BodyDone, errBodyClosed)
	}
	st := acquireClientStream(resp)
	st.isHead = req.Header.IsHead()
	st.body = body

	cc.mu.Lock()
	if err := cc.openLocked(st); err != nil {
		cc.mu.Unlock()
		releaseClientStream(st)
		return roundTripFailed(o, err)
	}
	if body != nil {
		body.st = st
	}
	var src io.Reader
	size := int64(-1)
	var data []byte
	if req.IsBodyStream() {
		src, size = req.TakeBodyStream()
	} else {
		data = req.Body()
		size = int64(len(data))
	}
	trailers := hasTrailers(req)
	end := src == nil && len(data) == 0 && !trailers
	cc.hbuf = cc.appendRequestBlock(cc.hbuf[:0], req, host, path, size)
	cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, end, cc.hbuf, cc.peerMaxFrame)
	st.sending = !end
	_ = cc.flushLocked() // a failure finishes st
	var werr error
	if st.sending {
		if src != nil {
			werr = cc.sendStreamLocked(ctx, st, src, size, trailers, o.Deadline)
		} else {
			werr = cc.sendDataLocked(ctx, st, data, !trailers, o.Deadline)
		}
		if werr == nil && !st.finished && trailers {
			cc.hbuf = cc.appendTrailerBlock(cc.hbuf[:0], req)
			cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, true, cc.hbuf, cc.peerMaxFrame)
			_ = cc.flushLocked()
		}
		if !st.finished {
			st.sending = false
		}
	}
	if werr == nil && st.finished && st.sending {
		werr = st.err // the stream ended before the request was sent
	}
	cc.mu.Unlock()
	if c, ok := src.(io.Closer); ok {
		_ = c.Close()
	}
	cc.reportWrote(st, werr)
	return cc.awaitResponse(ctx, st, o)
}

// reportWrote calls the trace's WroteRequest hook for st, then
// GotFirstResponseByte if the answer already arrived (the reader left it
// to the sender, to keep the hooks in order).
func (cc *ClientConn) reportWrote(st *clientStream, err error) {
	t := cc.trace
	if t == nil {
		return
	}
	if t.WroteRequest != nil {
		t.WroteRequest(err)
	}
	cc.mu.Lock()
	st.wroteReported = true
	pending := st.firstBytePending
	st.firstBytePending = false
	cc.mu.Unlock()
	if pending && t.GotFirstResponseByte != nil {
		t.GotFirstResponseByte()
	}
}

// roundTripFailed reports err of a RoundTrip that opened no stream.
func roundTripFailed(o volt.MuxRoundTrip, err error) error {
	if o.StreamBody && o.BodyDone != nil {
		o.BodyDone()
	}
	return err
}

// awaitResponse waits for the end of st (or for its head, with
// o.StreamBody), ctx's end or o.Deadline, and finishes the RoundTrip.
func (cc *ClientConn) awaitResponse(ctx context.Context, st *clientStream, o volt.MuxRoundTrip) error {
	var timerC <-chan time.Time
	if !o.Deadline.IsZero() {
		d := time.Until(o.Deadline)
		if st.timer == nil {
			st.timer = time.NewTimer(d)
		} else {
			st.timer.Reset(d)
		}
		timerC = st.timer.C
	}
	var why error
	streamBody := st.body != nil
wait:
	for {
		select {
		case <-st.done:
			break wait
		case <-st.wake:
			if !streamBody {
				continue
			}
			cc.mu.Lock()
			got := st.gotHead
			cc.mu.Unlock()
			if got {
				break wait
			}
		case <-ctx.Done():
			why = ctx.Err()
			break wait
		case <-timerC:
			why = volt.ErrTimeout
			break wait
		}
	}
	if timerC != nil {
		st.timer.Stop()
	}

	cc.mu.Lock()
	if !st.finished && !(streamBody && st.gotHead) {
		cc.resetLocked(st.id, ErrCodeCancel, why)
		_ = cc.flushLocked()
	}
	resp := st.resp
	if !streamBody {
		cc.mu.Unlock()
		err := st.err
		releaseClientStream(st)
		if err != nil {
			resp.ResetBody()
		}
		return err
	}
	b := st.body
	if !st.gotHead {
		err := st.err
		bodyDone := b.doneLocked()
		cc.mu.Unlock()
		resp.ResetBody()
		if bodyDone != nil {
			bodyDone()
		}
		return err
	}
	size := st.contentLength
	if st.noBody {
		size = 0
	}
	if !st.finished {
		b.watchCtx(ctx)
	}
	cc.mu.Unlock()
	resp.SetBodyStream(b, size)
	return nil
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

// MaxStreams is how many streams the connection may have open at once
// now: the server's SETTINGS_MAX_CONCURRENT_STREAMS (100 until its
// SETTINGS arrive), at most the stream identifiers left; 0 once no
// stream can be opened (GOAWAY received, connection closed or failed).
func (cc *ClientConn) MaxStreams() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.err != nil || cc.goAway != nil || cc.nextID > MaxStreamID {
		return 0
	}
	left := (MaxStreamID-cc.nextID)/2 + 1
	return int(min(cc.maxStreams, left))
}

// sendDataLocked queues data in DATA frames as the server's windows
// allow, the last with END_STREAM if end (cc.mu held; released while
// waiting). A failure to get window before the deadline (dl, or
// WriteTimeout for each wait) or ctx's end resets st and is returned; a
// stream finished meanwhile stops it with a nil error.
func (cc *ClientConn) sendDataLocked(ctx context.Context, st *clientStream, data []byte, end bool, dl time.Time) error {
	for len(data) > 0 || end {
		if st.finished {
			return nil
		}
		n := min(int64(len(data)), cc.sendWindow, st.sendWindow, maxClientChunk)
		if n <= 0 && len(data) > 0 {
			if err := cc.waitWindowLocked(ctx, st, dl); err != nil {
				cc.resetLocked(st.id, ErrCodeCancel, err)
				_ = cc.flushLocked()
				return err
			}
			continue
		}
		chunk := data[:n]
		data = data[n:]
		cc.sendWindow -= n
		st.sendWindow -= n
		last := end && len(data) == 0
		cc.queueDataLocked(st.id, chunk, last)
		if last {
			end = false
		}
		_ = cc.flushLocked()
	}
	return nil
}

// queueDataLocked appends chunk, for which window was taken, in DATA
// frames of at most the server's frame size; END_STREAM on the last if
// end (an empty DATA frame carries it when chunk is empty).
func (cc *ClientConn) queueDataLocked(id uint32, chunk []byte, end bool) {
	if len(chunk) == 0 {
		if end {
			cc.wbuf = AppendData(cc.wbuf, id, true, nil)
		}
		return
	}
	for len(chunk) > 0 {
		m := min(len(chunk), int(cc.peerMaxFrame))
		cc.wbuf = AppendData(cc.wbuf, id, end && m == len(chunk), chunk[:m])
		chunk = chunk[m:]
	}
}

// clientChunkPool holds the buffers a streamed request body is read into.
var clientChunkPool = sync.Pool{New: func() any {
	b := make([]byte, 16<<10)
	return &b
}}

// sendStreamLocked sends the request body stream src of size bytes (-1:
// unknown) as it is read, the last DATA with END_STREAM unless trailers
// follow (cc.mu held; released while reading src and waiting). With a
// known size at most size bytes are read; fewer is an error that resets
// the stream, as is a read error.
func (cc *ClientConn) sendStreamLocked(ctx context.Context, st *clientStream, src io.Reader, size int64, trailers bool, dl time.Time) error {
	bp := clientChunkPool.Get().(*[]byte)
	defer clientChunkPool.Put(bp)
	buf := *bp
	var sent int64
	for !st.finished {
		want := len(buf)
		if size >= 0 {
			want = int(min(int64(want), size-sent))
		}
		var n int
		var rerr error
		if want > 0 {
			cc.mu.Unlock()
			n, rerr = src.Read(buf[:want])
			cc.mu.Lock()
		} else {
			rerr = io.EOF
		}
		sent += int64(n)
		gotEOF := rerr == io.EOF
		if gotEOF {
			rerr = nil
			if size >= 0 && sent < size {
				rerr = errBodyShort
			}
		}
		if rerr != nil {
			if !st.finished {
				cc.resetLocked(st.id, ErrCodeCancel, rerr)
				_ = cc.flushLocked()
			}
			return rerr
		}
		eof := gotEOF || size >= 0 && sent == size
		if err := cc.sendDataLocked(ctx, st, buf[:n], eof && !trailers, dl); err != nil {
			return err
		}
		if eof {
			return nil
		}
	}
	return nil
}

// waitWindowLocked waits until a window may have grown, for at most
// WriteTimeout and until dl if set (cc.mu held, released while waiting).
func (cc *ClientConn) waitWindowLocked(ctx context.Context, st *clientStream, dl time.Time) error {
	d := cc.writeTimeout
	var expired error = StreamError{StreamID: st.id, Code: ErrCodeCancel, Cause: errClientWriteTimeout}
	if !dl.IsZero() {
		if left := time.Until(dl); left <= d {
			d, expired = left, volt.ErrTimeout
		}
	}
	if d <= 0 {
		return expired
	}
	connWait := cc.sendWindow <= 0
	if connWait {
		cc.windowWaiters++
	}
	if st.timer == nil {
		st.timer = time.NewTimer(d)
	} else {
		st.timer.Reset(d)
	}
	cc.mu.Unlock()
	var err error
	select {
	case <-st.wake:
	case <-st.timer.C:
		err = expired
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

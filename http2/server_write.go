package http2

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// maxBatch is how many bytes of DATA the writer frames into one write.
const maxBatch = 64 << 10

// finish writes the rest of ctx's response after its handler returned.
func (st *stream) finish(ctx *volt.RequestCtx) error {
	resp := &ctx.Response
	if st.refused {
		return nil
	}
	if ctx.HeadSent() {
		if b := resp.Body(); len(b) > 0 {
			if _, err := st.Write(b); err != nil {
				return err
			}
		}
		return st.end(resp)
	}
	cc := st.cc
	cc.sc.PrepareResponse(ctx)
	bodyOK := st.bodyAllowed(resp)
	switch {
	case resp.StreamWriter() != nil && bodyOK:
		if err := st.writeHead(resp); err != nil {
			return err
		}
		w := bufio.NewWriterSize(st, 4096)
		resp.StreamWriter()(w)
		if err := w.Flush(); err != nil {
			return err
		}
		return st.end(resp)
	case resp.IsBodyStream() && bodyOK:
		if n := resp.BodyStreamSize(); n >= 0 && resp.Header.ContentLength() < 0 {
			resp.Header.SetContentLength(n)
		}
		if err := st.writeHead(resp); err != nil {
			return err
		}
		src := resp.BodyStream()
		if n := resp.BodyStreamSize(); n >= 0 {
			src = io.LimitReader(src, n)
		}
		buf := copyBuf()
		_, err := io.CopyBuffer(writerOnly{st}, src, *buf)
		putCopyBuf(buf)
		if err != nil {
			return err
		}
		return st.end(resp)
	}
	body := resp.Body()
	bodyLen := int64(len(body))
	if !bodyOK || st.headOnly {
		body = nil
	}
	if st.headOnly && bodyOK && bodyLen == 0 {
		bodyLen = resp.Header.ContentLength()
	}
	if !bodyOK {
		bodyLen = -1
	}
	trailers := resp.Header.HasTrailers() && !st.headOnly
	cc.mu.Lock()
	if st.reset {
		cc.mu.Unlock()
		return st.err
	}
	endNow := len(body) == 0 && !trailers
	cc.appendHead(st, resp, bodyLen, endNow)
	if endNow {
		st.endSent = true
		if st.remoteClosed {
			cc.closeStream(st)
		}
		if !cc.writing && cc.running > 1 {
			// Let the connection's other handlers add their responses
			// to this write (see send).
			cc.mu.Unlock()
			runtime.Gosched()
			cc.mu.Lock()
		}
		return cc.flushLocked()
	}
	if trailers {
		st.trailers = &resp.Header
	}
	cc.mu.Unlock()
	return st.send(body, true)
}

// bodyAllowed reports whether the response may carry a body (not 1xx,
// 204 or 304, nor a 2xx to CONNECT).
func (st *stream) bodyAllowed(resp *volt.Response) bool {
	code := resp.StatusCode()
	if code == 0 {
		code = volt.StatusOK
	}
	if code < 200 || code == volt.StatusNoContent || code == volt.StatusNotModified {
		return false
	}
	// A 2xx to CONNECT opens a tunnel: it has no content of its own (RFC
	// 9110 section 9.3.6).
	return !(st.tunnel && code < 300)
}

// end ends a response whose head went out: an empty DATA frame with
// END_STREAM, or the trailers.
func (st *stream) end(resp *volt.Response) error {
	cc := st.cc
	cc.mu.Lock()
	if resp.Header.HasTrailers() && !st.headOnly {
		st.trailers = &resp.Header
	}
	if st.declaredSize >= 0 && st.sentBody != st.declaredSize && !st.headOnly {
		// Less body than the Content-Length announced: the client must
		// see the response cut short.
		cc.mu.Unlock()
		cc.resetStream(st.id, ErrCodeInternal)
		return errContentLength
	}
	cc.mu.Unlock()
	return st.send(nil, true)
}

// WriteHeader implements volt.ResponseWriter: it sends the response head
// (a HEADERS frame) of a streamed response.
func (st *stream) WriteHeader(resp *volt.Response) error {
	cc := st.cc
	if ctx := st.ctx; ctx != nil && !cc.sc.PrepareResponse(ctx) {
		// The head had an invalid field: a plain 500 goes out in its
		// place, and the handler's writes fail.
		st.refused = true
		body := ctx.Response.Body()
		cc.mu.Lock()
		cc.appendHead(st, &ctx.Response, int64(len(body)), len(body) == 0)
		cc.mu.Unlock()
		if len(body) > 0 {
			_ = st.send(body, true)
		} else {
			cc.mu.Lock()
			st.endSent = true
			cc.mu.Unlock()
		}
		return volt.ErrInvalidHeaderField
	}
	return st.writeHead(resp)
}

// writeHead queues the head of a response whose body follows; the head
// has passed PrepareResponse.
func (st *stream) writeHead(resp *volt.Response) error {
	cc := st.cc
	cc.mu.Lock()
	if st.reset {
		cc.mu.Unlock()
		return st.err
	}
	n := resp.Header.ContentLength()
	if !st.bodyAllowed(resp) {
		n = -1
	}
	cc.appendHead(st, resp, n, false)
	cc.mu.Unlock()
	return nil
}

// Write implements volt.ResponseWriter (and io.Writer for stream
// writers): it sends p as DATA frames, as fast as the flow-control
// windows allow, and returns once p is framed.
func (st *stream) Write(p []byte) (int, error) {
	if st.refused {
		return 0, volt.ErrInvalidHeaderField
	}
	if st.headOnly {
		return len(p), nil
	}
	if st.declaredSize >= 0 && st.sentBody+int64(len(p)) > st.declaredSize {
		return 0, volt.ErrBodyTooLarge
	}
	if err := st.send(p, false); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush implements volt.ResponseWriter: what was written goes to the
// client now.
func (st *stream) Flush() error { return st.cc.flush() }

// WriteInterim implements volt.ResponseWriter: it sends a 1xx response
// (such as 103 Early Hints) as a HEADERS frame.
func (st *stream) WriteInterim(code int, h *volt.ResponseHeader) error {
	if code < 100 || code > 199 || code == volt.StatusSwitchingProtocols || !volt.ValidFields(h) {
		return volt.ErrInvalidHeaderField
	}
	cc := st.cc
	cc.mu.Lock()
	if st.headSent || st.reset {
		cc.mu.Unlock()
		return volt.ErrInvalidHeaderField
	}
	cc.appendInterim(st, code, h)
	cc.mu.Unlock()
	return cc.flush()
}

// appendInterim queues a 1xx head for st. cc.mu is held.
func (cc *serverConn) appendInterim(st *stream, code int, h *volt.ResponseHeader) {
	block := cc.hbuf[:0]
	block = cc.enc.AppendField(block, hpack.HeaderField{Name: strStatus, Value: statusBytes(code)})
	if h != nil {
		for k, v := range h.All() {
			block = cc.appendField(block, k, v)
		}
	}
	cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, false, block, cc.peerMaxFrameSize)
	cc.hbuf = block
}

// appendHead encodes the response head of st and queues its HEADERS
// frame (and CONTINUATION frames). bodyLen is the Content-Length to
// announce, or -1. cc.mu is held.
func (cc *serverConn) appendHead(st *stream, resp *volt.Response, bodyLen int64, endStream bool) {
	h := &resp.Header
	code := h.StatusCode()
	if code == 0 {
		code = volt.StatusOK
	}
	block := cc.hbuf[:0]
	block = cc.enc.AppendField(block, hpack.HeaderField{Name: strStatus, Value: statusBytes(code)})
	if h.Peek(volt.HeaderServer) == nil {
		block = cc.enc.AppendField(block, hpack.HeaderField{Name: strServer, Value: cc.sc.ServerName()})
	}
	if h.Peek(volt.HeaderDate) == nil {
		cc.dateBuf = volt.AppendHTTPDate(cc.dateBuf[:0], st.ctxTime())
		block = cc.enc.AppendField(block, hpack.HeaderField{Name: strDate, Value: cc.dateBuf})
	}
	if st.bodyAllowed(resp) {
		ct := h.ContentType()
		if ct == nil && (bodyLen != 0 || resp.IsBodyStream()) {
			ct = strTextPlain
		}
		if ct != nil {
			block = cc.enc.AppendField(block, hpack.HeaderField{Name: strContentType, Value: ct})
		}
		if bodyLen >= 0 {
			cc.numBuf = strconv.AppendInt(cc.numBuf[:0], bodyLen, 10)
			block = cc.enc.AppendField(block, hpack.HeaderField{Name: strContentLength, Value: cc.numBuf})
			st.declaredSize = bodyLen
		}
	}
	for k, v := range h.All() {
		block = cc.appendField(block, k, v)
	}
	cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, endStream, block, cc.peerMaxFrameSize)
	cc.hbuf = block
	st.headSent = true
}

// appendField encodes one field with its name in lowercase, leaving out
// the fields HTTP/2 forbids (RFC 9113 section 8.2.2).
func (cc *serverConn) appendField(block, name, value []byte) []byte {
	lower := append(cc.lowerBuf[:0], name...)
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	cc.lowerBuf = lower
	switch string(lower) {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length":
		return block
	}
	return cc.enc.AppendField(block, hpack.HeaderField{Name: lower, Value: value})
}

// appendTrailers queues the trailers of st as the HEADERS frame that ends
// the stream. cc.mu is held.
func (cc *serverConn) appendTrailers(st *stream) {
	block := cc.hbuf[:0]
	if volt.ValidTrailers(st.trailers) {
		for k, v := range st.trailers.Trailers() {
			block = cc.appendField(block, k, v)
		}
	}
	cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, true, block, cc.peerMaxFrameSize)
	cc.hbuf = block
	st.trailers = nil
}

func (st *stream) ctxTime() time.Time {
	if st.ctx != nil {
		return st.ctx.Time()
	}
	return time.Now()
}

// send queues p (and END_STREAM if end) for the stream and waits until
// the writer framed all of it. The caller's goroutine becomes the writer
// when no one else is.
func (st *stream) send(p []byte, end bool) error {
	cc := st.cc
	cc.mu.Lock()
	if st.reset {
		cc.mu.Unlock()
		return st.err
	}
	st.out, st.outEnd = p, end
	st.sentBody += int64(len(p))
	cc.enqueue(st)
	if !cc.writing && cc.running > 1 {
		// Other handlers of the connection run: frame this response
		// now, and let them run before writing, so that their
		// responses share the write.
		cc.schedule()
		if !st.queued {
			cc.mu.Unlock()
			runtime.Gosched()
			cc.mu.Lock()
		}
	}
	var timer *time.Timer
	for {
		if !cc.writing {
			cc.writing = true
			cc.writeLoop()
		}
		if !st.queued && st.inflight == 0 || (st.reset || cc.writeErr != nil) && st.inflight == 0 {
			break
		}
		cc.mu.Unlock()
		if timer == nil {
			timer = st.waitTimer(cc.limits.WriteTimeout)
		}
		var timedOut bool
		if timer != nil {
			select {
			case <-st.wake:
			case <-timer.C:
				timedOut = true
			}
		} else {
			<-st.wake
		}
		cc.mu.Lock()
		if timedOut && st.queued && st.inflight == 0 {
			// The client gave no window for WriteTimeout.
			cc.mu.Unlock()
			cc.resetStream(st.id, ErrCodeCancel)
			return errWriteTimeout
		}
		if timedOut {
			timer.Reset(cc.limits.WriteTimeout)
		}
	}
	if timer != nil {
		timer.Stop()
	}
	err := st.err
	if st.reset {
		if err == nil {
			err = errStreamReset
		}
	} else if cc.writeErr != nil {
		err = cc.writeErr
	} else {
		err = nil
	}
	cc.mu.Unlock()
	return err
}

// waitTimer returns the stream's timer set to d, or nil for no limit.
func (st *stream) waitTimer(d time.Duration) *time.Timer {
	if d <= 0 {
		return nil
	}
	if st.timer == nil {
		st.timer = time.NewTimer(d)
	} else {
		st.timer.Reset(d)
	}
	return st.timer
}

// enqueue puts st in the write queue. cc.mu is held.
func (cc *serverConn) enqueue(st *stream) {
	if !st.queued {
		st.queued = true
		cc.queue = append(cc.queue, st)
	}
}

// dequeue takes st out of the write queue. cc.mu is held.
func (cc *serverConn) dequeue(st *stream) {
	if !st.queued {
		return
	}
	st.queued = false
	for i, q := range cc.queue {
		if q == st {
			copy(cc.queue[i:], cc.queue[i+1:])
			cc.queue[len(cc.queue)-1] = nil
			cc.queue = cc.queue[:len(cc.queue)-1]
			break
		}
	}
	st.signal()
}

// wakeQueued wakes the handlers of queued streams after a window grew, so
// that one of them takes the writer role. cc.mu is held.
func (cc *serverConn) wakeQueued() {
	for _, st := range cc.queue {
		st.signal()
	}
}

// writeLoop is run by the holder of the writer role, with cc.mu held: it
// frames queued DATA into wbuf, writes wbuf with cc.mu released, and goes
// on until nothing can be written; it then gives up the role.
func (cc *serverConn) writeLoop() {
	for {
		if cc.writeErr == nil {
			cc.schedule()
		}
		if len(cc.wbuf) == 0 || cc.writeErr != nil {
			cc.writing = false
			if cc.writeErr != nil {
				cc.wbuf = cc.wbuf[:0]
			}
			return
		}
		buf := cc.wbuf
		var segs net.Buffers
		owners := cc.owners
		if len(cc.segs) > 0 {
			// Large payloads go out uncopied, between the frame bytes
			// of wbuf (see frameData).
			segs = append(cc.segs, buf[cc.cut:])
			cc.segs, cc.segsSpare = cc.segsSpare[:0], nil
			cc.owners, cc.ownersSpare = cc.ownersSpare[:0], nil
			cc.cut = 0
		}
		cc.wbuf, cc.spare = cc.spare[:0], nil
		cc.ctrlQueued = 0
		cc.mu.Unlock()
		if d := cc.limits.WriteTimeout; d > 0 {
			_ = cc.conn.SetWriteDeadline(time.Now().Add(d))
		}
		var err error
		if segs != nil {
			// WriteTo consumes its receiver, which lives in cc so that
			// it does not escape per write.
			cc.iov = segs
			_, err = cc.iov.WriteTo(cc.conn)
			cc.iov = nil
		} else {
			_, err = cc.conn.Write(buf)
		}
		cc.mu.Lock()
		if cap(buf) <= 2*maxBatch {
			cc.spare = buf[:0]
		}
		if segs != nil {
			// The payloads are written (or never will be): their
			// handlers may go on.
			for i, st := range owners {
				st.inflight--
				if st.inflight == 0 {
					st.signal()
				}
				owners[i] = nil
			}
			clear(segs)
			cc.segsSpare, cc.ownersSpare = segs[:0], owners[:0]
		}
		if err != nil {
			cc.writeErr = err
			// The connection is lost (a client that stopped reading
			// timed out): closing it wakes the reader, which may be
			// waiting for a frame that will never come.
			_ = cc.conn.Close()
			for _, st := range cc.streams {
				st.abort(err)
			}
			for len(cc.queue) > 0 {
				cc.dequeue(cc.queue[0])
			}
		}
	}
}

// minVector is the smallest DATA payload written from the handler's
// buffer rather than copied into wbuf.
const minVector = 4 << 10

// frameData queues a DATA frame of st with payload p: copied into wbuf
// when small, else referenced, for a vectored write; st's handler then
// waits until the write is done (inflight). cc.mu is held.
func (cc *serverConn) frameData(st *stream, end bool, p []byte) {
	if len(p) < minVector {
		cc.wbuf = AppendData(cc.wbuf, st.id, end, p)
		return
	}
	var fl Flags
	if end {
		fl = FlagEndStream
	}
	cc.wbuf = AppendFrameHeader(cc.wbuf, FrameHeader{Length: uint32(len(p)), Type: FrameData, Flags: fl, StreamID: st.id})
	cc.segs = append(cc.segs, cc.wbuf[cc.cut:len(cc.wbuf):len(cc.wbuf)], p)
	cc.cut = len(cc.wbuf)
	cc.owners = append(cc.owners, st)
	st.inflight++
}

// flush makes sure that what is queued gets written: by this goroutine
// if no one holds the writer role.
func (cc *serverConn) flush() error {
	cc.mu.Lock()
	return cc.flushLocked()
}

// flushLocked is flush with cc.mu held; it releases it.
func (cc *serverConn) flushLocked() error {
	if !cc.writing && (len(cc.wbuf) > 0 || len(cc.queue) > 0) {
		cc.writing = true
		cc.writeLoop()
	}
	err := cc.writeErr
	cc.mu.Unlock()
	return err
}

// flushControl writes queued frames from the reader.
func (cc *serverConn) flushControl() { _ = cc.flush() }

// schedule frames queued DATA into wbuf, most urgent stream first (RFC
// 9218): within an urgency, a non-incremental stream is sent whole before
// the next, incremental ones take turns frame by frame. It stops at
// maxBatch bytes or when the windows are spent. cc.mu is held.
func (cc *serverConn) schedule() {
	budget := maxBatch
	for budget > 0 && len(cc.queue) > 0 {
		st := cc.pick()
		if st == nil {
			return
		}
		n := len(st.out)
		n = min(n, int(min(st.sendWindow, cc.sendWindow)), int(cc.peerMaxFrameSize), budget)
		if n < 0 {
			n = 0
		}
		last := n == len(st.out) && st.outEnd && st.trailers == nil
		if n > 0 || last {
			cc.frameData(st, last, st.out[:n])
			st.out = st.out[n:]
			st.sendWindow -= int64(n)
			cc.sendWindow -= int64(n)
			budget -= n + FrameHeaderLen
		}
		if len(st.out) > 0 {
			if st.incremental {
				cc.rotate(st)
			}
			continue
		}
		if st.outEnd && st.trailers != nil {
			cc.appendTrailers(st)
			last = true
		}
		st.out = nil
		cc.dequeue(st)
		if last {
			st.endSent = true
			if st.remoteClosed {
				cc.closeStream(st)
			}
		}
	}
}

// pick returns the queued stream to send next: the lowest urgency whose
// windows let it send (or which only has END_STREAM left), the first in
// queue order among equals. cc.mu is held.
func (cc *serverConn) pick() *stream {
	var best *stream
	for _, st := range cc.queue {
		ready := len(st.out) == 0 || (st.sendWindow > 0 && cc.sendWindow > 0)
		if !ready {
			continue
		}
		if best == nil || st.urgency < best.urgency {
			best = st
		}
	}
	return best
}

// rotate moves an incremental stream behind the others of the queue.
func (cc *serverConn) rotate(st *stream) {
	for i, q := range cc.queue {
		if q == st {
			copy(cc.queue[i:], cc.queue[i+1:])
			cc.queue[len(cc.queue)-1] = st
			return
		}
	}
}

// statusBytes returns the :status value for code.
func statusBytes(code int) []byte {
	if code >= 100 && code <= 999 {
		return statusText[code-100][:]
	}
	return statusText[500-100][:]
}

var statusText = func() (t [900][3]byte) {
	for i := range t {
		c := i + 100
		t[i] = [3]byte{byte('0' + c/100), byte('0' + c/10%10), byte('0' + c%10)}
	}
	return t
}()

var (
	strStatus        = []byte(":status")
	strServer        = []byte("server")
	strDate          = []byte("date")
	strContentType   = []byte("content-type")
	strContentLength = []byte("content-length")
	strTextPlain     = []byte("text/plain; charset=utf-8")
)

// writerOnly hides io.ReaderFrom from io.CopyBuffer.
type writerOnly struct{ io.Writer }

var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func copyBuf() *[]byte     { return copyBufPool.Get().(*[]byte) }
func putCopyBuf(b *[]byte) { copyBufPool.Put(b) }

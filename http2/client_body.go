package http2

import (
	"bytes"
	"context"
	"io"
	"os"
	"sync"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/bytesconv"
)

// clientBody is the receiving side of a stream whose body the caller reads
// as it arrives: a streamed response (volt.MuxRoundTrip.StreamBody) or a
// tunnel. The reader goroutine appends DATA to it; Read takes it out and
// only then gives the stream's and the connection's windows back, so it
// never holds more than the stream's receive window and a connection's
// bodies together never more than the connection's window.
//
// Its state is guarded by cc.mu. Read and Close may be called from
// different goroutines; Close wakes a blocked Read.
type clientBody struct {
	cc        *ClientConn
	st        *clientStream  // nil once the body is done
	resp      *volt.Response // gets the trailers at the end; nil for a tunnel
	bodyDone  func()
	closedErr error // what Read returns after Close

	ready chan struct{} // buffered 1: data, the end, Close or a new deadline

	bufp     *[]byte // from clientBodyBufs, holds buf's array between uses
	buf      []byte  // received, not yet read: buf[off:]
	off      int
	err      error // the end: io.EOF, or why the stream failed
	closed   bool
	done     bool   // bodyDone was called (or is about to be)
	trailers []byte // trailer fields, "name\x00value\x00" each, for resp at io.EOF
	rdl      time.Time
	timer    *time.Timer
	stopCtx  func() bool // unregisters the reset at the end of the RoundTrip's ctx
}

// clientBodyBufs recycles the buffers of bodies read as they arrive; one
// that grew past maxPooledBodyBuf is left to the garbage collector.
var clientBodyBufs = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledBodyBuf = 256 << 10

func newClientBody(cc *ClientConn, resp *volt.Response, bodyDone func(), closedErr error) *clientBody {
	return &clientBody{cc: cc, resp: resp, bodyDone: bodyDone, closedErr: closedErr, ready: make(chan struct{}, 1)}
}

// wake wakes a blocked Read.
func (b *clientBody) wake() {
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// push keeps p, DATA of the stream (reader, cc.mu held). The read part
// of the buffer is reused first.
func (b *clientBody) push(p []byte) {
	if b.done {
		b.cc.credit(nil, int64(len(p)))
		return
	}
	if b.bufp == nil {
		b.bufp = clientBodyBufs.Get().(*[]byte)
		b.buf = (*b.bufp)[:0]
	}
	if b.off == len(b.buf) {
		b.buf, b.off = b.buf[:0], 0
	} else if b.off > 0 && len(b.buf)+len(p) > cap(b.buf) {
		n := copy(b.buf, b.buf[b.off:])
		b.buf, b.off = b.buf[:n], 0
	}
	b.buf = append(b.buf, p...)
	b.wake()
}

// endLocked records the end of the stream: err, or io.EOF for nil. The
// connection's io.EOF ends the body too soon: io.ErrUnexpectedEOF.
func (b *clientBody) endLocked(err error) {
	if b.err == nil {
		switch err {
		case nil:
			err = io.EOF
		case io.EOF:
			err = io.ErrUnexpectedEOF
		}
		b.err = err
	}
	b.wake()
}

// addTrailer keeps a trailer field until the end of the body (reader,
// cc.mu held). Their total is bounded by the header list limit of the
// block they came in.
func (b *clientBody) addTrailer(name, value []byte) {
	b.trailers = append(b.trailers, name...)
	b.trailers = append(b.trailers, 0)
	b.trailers = append(b.trailers, value...)
	b.trailers = append(b.trailers, 0)
}

// Read reads the body as it arrives: io.EOF at its end, the stream's
// error if it failed (after the bytes received before).
func (b *clientBody) Read(p []byte) (int, error) {
	cc := b.cc
	cc.mu.Lock()
	for {
		if b.closed {
			cc.mu.Unlock()
			return 0, b.closedErr
		}
		if b.off < len(b.buf) {
			n := copy(p, b.buf[b.off:])
			b.off += n
			if st := b.st; st != nil {
				cc.credit(st, int64(n))
				if len(cc.wbuf) > 0 {
					_ = cc.flushLocked()
				}
			}
			cc.mu.Unlock()
			return n, nil
		}
		if b.err != nil {
			err := b.err
			if err == io.EOF && b.resp != nil && !b.done {
				b.applyTrailers()
			}
			bodyDone := b.doneLocked()
			cc.mu.Unlock()
			if bodyDone != nil {
				bodyDone()
			}
			return 0, err
		}
		if len(p) == 0 {
			cc.mu.Unlock()
			return 0, nil
		}
		var timerC <-chan time.Time
		if !b.rdl.IsZero() {
			d := time.Until(b.rdl)
			if d <= 0 {
				cc.mu.Unlock()
				return 0, os.ErrDeadlineExceeded
			}
			if b.timer == nil {
				b.timer = time.NewTimer(d)
			} else {
				b.timer.Reset(d)
			}
			timerC = b.timer.C
		}
		cc.mu.Unlock()
		select {
		case <-b.ready:
		case <-timerC:
		}
		if timerC != nil {
			b.timer.Stop()
		}
		cc.mu.Lock()
	}
}

// watchCtx resets the stream when ctx ends before the body does: Read
// then fails with ctx.Err() once the bytes received are read.
func (b *clientBody) watchCtx(ctx context.Context) {
	if ctx.Done() == nil {
		return
	}
	b.stopCtx = context.AfterFunc(ctx, func() {
		cc := b.cc
		cc.mu.Lock()
		defer cc.mu.Unlock()
		if st := b.st; !b.done && st != nil && !st.finished {
			cc.resetLocked(st.id, ErrCodeCancel, ctx.Err())
			_ = cc.flushLocked()
		}
	})
}

// applyTrailers moves the trailers kept into resp (the caller's
// goroutine, at io.EOF).
func (b *clientBody) applyTrailers() {
	t := b.trailers
	for len(t) > 0 {
		i := bytes.IndexByte(t, 0)
		j := i + 1 + bytes.IndexByte(t[i+1:], 0)
		b.resp.Header.SetTrailer(bytesconv.B2S(t[:i]), bytesconv.B2S(t[i+1:j]))
		t = t[j+1:]
	}
	b.trailers = b.trailers[:0]
}

// Close ends the body: before its end, the stream is reset with CANCEL.
// It may be called from another goroutine than Read, and more than once.
func (b *clientBody) Close() error {
	cc := b.cc
	cc.mu.Lock()
	if b.closed {
		cc.mu.Unlock()
		return nil
	}
	b.closed = true
	if st := b.st; st != nil && !st.finished {
		cc.resetLocked(st.id, ErrCodeCancel, errBodyClosed)
		_ = cc.flushLocked()
	}
	bodyDone := b.doneLocked()
	b.wake()
	cc.mu.Unlock()
	if bodyDone != nil {
		bodyDone()
	}
	return nil
}

// doneLocked ends the body's use of its stream, once: the unread bytes'
// connection window is given back, a pooled stream (finished by now) is
// released, and the BodyDone hook is returned for the caller to call
// without cc.mu.
func (b *clientBody) doneLocked() func() {
	if b.done {
		return nil
	}
	b.done = true
	if b.stopCtx != nil {
		b.stopCtx()
		b.stopCtx = nil
	}
	cc := b.cc
	if unread := len(b.buf) - b.off; unread > 0 {
		cc.credit(nil, int64(unread))
		if len(cc.wbuf) > 0 && !cc.closed {
			_ = cc.flushLocked()
		}
	}
	if b.bufp != nil && cap(b.buf) <= maxPooledBodyBuf {
		*b.bufp = b.buf[:0]
		clientBodyBufs.Put(b.bufp)
	}
	b.bufp, b.buf, b.off, b.trailers, b.resp = nil, nil, 0, nil, nil
	if st := b.st; st != nil {
		b.st = nil
		if !st.tunnel {
			releaseClientStream(st)
		}
	}
	f := b.bodyDone
	b.bodyDone = nil
	return f
}

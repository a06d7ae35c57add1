package http2

import (
	"io"
	"os"
	"time"

	"github.com/volthttp/volt"
)

// pipe is the request body of a stream whose handler reads it as it
// arrives (volt.Server.StreamRequestBody). The reader appends DATA
// payloads; the handler's Read takes them and gives their window back.
// buf holds at most the stream's receive window. Guarded by cc.mu.
type pipe struct {
	st    *stream
	buf   []byte
	off   int
	total int64 // bytes received
	done  bool  // END_STREAM seen, or the stream ended
	err   error // the error Read returns once buf is empty (nil: io.EOF)

	// trailers received while the handler runs, as name, value pairs;
	// they join the request when the handler reads the end of the body.
	trailers []string

	// A tunnel's reads wait until deadline (zero: no limit) instead of
	// BodyIdleTimeout.
	deadline time.Time

	wake  chan struct{} // signalled when data arrives, the body ends or the deadline changes
	timer *time.Timer
}

func (p *pipe) init(st *stream) {
	p.st = st
	if p.wake == nil {
		p.wake = make(chan struct{}, 1)
	}
}

// signal wakes a Read that waits.
func (p *pipe) signal() {
	if p.wake == nil {
		return
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// write appends received data. cc.mu is held.
func (p *pipe) write(b []byte) {
	if p.off == len(p.buf) {
		p.buf, p.off = p.buf[:0], 0
	}
	p.buf = append(p.buf, b...)
	p.total += int64(len(b))
	p.signal()
}

// closeWithError ends the body: Read returns err (io.EOF if nil) once the
// buffered bytes are read. cc.mu is held.
func (p *pipe) closeWithError(err error) {
	if p.done {
		return
	}
	p.done, p.err = true, err
	p.signal()
}

// Read implements io.Reader for the handler. It waits for data at most
// the server's BodyIdleTimeout.
func (p *pipe) Read(b []byte) (int, error) {
	st := p.st
	cc := st.cc
	cc.mu.Lock()
	for p.off == len(p.buf) && !p.done {
		d := cc.limits.BodyIdleTimeout
		if st.tunnel {
			d = 0
			if !p.deadline.IsZero() {
				if d = time.Until(p.deadline); d <= 0 {
					cc.mu.Unlock()
					return 0, os.ErrDeadlineExceeded
				}
			}
		}
		cc.mu.Unlock()
		if err := p.waitData(d); err != nil && !st.tunnel {
			return 0, err
		}
		cc.mu.Lock()
	}
	if p.off < len(p.buf) {
		n := copy(b, p.buf[p.off:])
		p.off += n
		cc.credit(st, int64(n))
		cc.mu.Unlock()
		cc.flushControl()
		return n, nil
	}
	err := p.err
	if err == nil && len(p.trailers) > 0 && st.ctx != nil {
		for i := 0; i+1 < len(p.trailers); i += 2 {
			st.ctx.Request.Header.SetTrailer(p.trailers[i], p.trailers[i+1])
		}
		p.trailers = p.trailers[:0]
	}
	cc.mu.Unlock()
	if err == nil {
		err = io.EOF
	}
	return 0, err
}

// waitData waits for the pipe's signal, at most d (0: no limit).
func (p *pipe) waitData(d time.Duration) error {
	if d <= 0 {
		<-p.wake
		return nil
	}
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	select {
	case <-p.wake:
		p.timer.Stop()
		return nil
	case <-p.timer.C:
		return errBodyTimeout
	}
}

var errBodyTimeout error = bodyTimeoutError{}

// bodyTimeoutError is the error of a request body read that waited longer
// than BodyIdleTimeout; it is a net.Error whose Timeout reports true.
type bodyTimeoutError struct{}

func (bodyTimeoutError) Error() string   { return "http2: request body read timeout" }
func (bodyTimeoutError) Timeout() bool   { return true }
func (bodyTimeoutError) Temporary() bool { return true }

var _ = volt.ErrBodyTooLarge

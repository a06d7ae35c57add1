package volt

import (
	"io"
	"time"
)

// connReader is the read buffer of an HTTP/1.1 connection. Unlike
// bufio.Reader it hands the parser the whole buffered message head as one
// slice, and it grows up to a limit when a head does not fit.
//
// Invariant: 0 <= r <= w <= len(buf). buf[r:w] is read and not consumed.
// Owned by the connection's goroutine.
type connReader struct {
	src io.Reader
	buf []byte
	r   int
	w   int

	// Body read deadlines (startBody): while body is set, each read from
	// src gets a deadline, the earliest of: the next byte due by the idle
	// timeout, the bytes due by the minimum rate, and maxDL.
	body      bool
	idle      time.Duration // 0: none
	rate      int64         // bytes per second; 0: none
	rateStart time.Time
	rateRead  int64
	setDL     func(time.Time) error
	maxDL     time.Time // the deadline set by the server for the request
}

// buffered returns the unread bytes.
// The returned slice is valid until the next call to fill or discard.
func (b *connReader) buffered() []byte { return b.buf[b.r:b.w] }

// discard consumes n buffered bytes.
func (b *connReader) discard(n int) {
	b.r += n
	if b.r == b.w {
		b.r, b.w = 0, 0
	}
}

// fill reads more bytes from src, at least one unless it fails. If the
// buffer is full it compacts it, and grows it (doubling) up to max bytes.
// It returns errBufferFull when the unread bytes already fill max.
func (b *connReader) fill(max int) error {
	if b.w == len(b.buf) {
		if b.r > 0 {
			n := copy(b.buf, b.buf[b.r:b.w])
			b.r, b.w = 0, n
		} else {
			if len(b.buf) >= max {
				return errBufferFull
			}
			size := 2 * len(b.buf)
			if size > max {
				size = max
			}
			if size < 512 {
				size = 512
			}
			nb := make([]byte, size)
			copy(nb, b.buf[b.r:b.w])
			b.w -= b.r
			b.r = 0
			b.buf = nb
		}
	}
	if b.body {
		b.armRead()
	}
	n, err := b.src.Read(b.buf[b.w:])
	b.w += n
	b.rateRead += int64(n)
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// startBody starts the body read deadlines: idle is the longest wait for
// each read (0: none), rate the minimum average rate in bytes per second
// from start, after one second of grace (0: none), maxDL a deadline no read
// may pass (zero: none).
func (b *connReader) startBody(start time.Time, rate int64, idle time.Duration, maxDL time.Time) {
	b.body = rate > 0 || idle > 0
	b.rate, b.rateStart, b.rateRead, b.idle, b.maxDL = rate, start, 0, idle, maxDL
}

// stopBodyDeadlines ends the deadlines of startBody.
func (b *connReader) stopBodyDeadlines() { b.body, b.rate, b.idle = false, 0, 0 }

// armRead sets the deadline of the next read of a body.
func (b *connReader) armRead() {
	var dl time.Time
	if b.rate > 0 {
		dl = b.rateStart.Add(time.Duration((b.rateRead+1)*int64(time.Second)/b.rate) + time.Second)
	}
	if b.idle > 0 {
		if t := time.Now().Add(b.idle); dl.IsZero() || t.Before(dl) {
			dl = t
		}
	}
	if !b.maxDL.IsZero() && (dl.IsZero() || b.maxDL.Before(dl)) {
		dl = b.maxDL
	}
	_ = b.setDL(dl)
}

// Read reads body bytes: buffered ones first, then straight from src into
// p when p is large, so that big bodies are not copied twice.
func (b *connReader) Read(p []byte) (int, error) {
	if b.r == b.w {
		if len(p) >= len(b.buf) {
			if b.body {
				b.armRead()
			}
			n, err := b.src.Read(p)
			b.rateRead += int64(n)
			return n, err
		}
		if err := b.fill(len(b.buf)); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.buf[b.r:b.w])
	b.discard(n)
	return n, nil
}

// appendBytes adds p after the unread bytes (read ahead by a watcher).
func (b *connReader) appendBytes(p []byte) {
	if len(b.buf)-b.w < len(p) {
		nb := make([]byte, b.w-b.r+len(p)+len(b.buf))
		copy(nb, b.buf[b.r:b.w])
		b.w -= b.r
		b.r = 0
		b.buf = nb
	}
	b.w += copy(b.buf[b.w:], p)
}

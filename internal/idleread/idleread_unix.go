//go:build unix

// Package idleread waits for data on an idle connection without holding a
// read buffer, on Unix. The server's keep-alive connections and WebSocket
// connections use it.
package idleread

import (
	"io"
	"net"
	"syscall"
)

// Reader waits for data on an idle connection (the next request of a
// keep-alive connection, the next message of a WebSocket connection)
// without holding a read buffer: it asks the runtime's poller to wake it
// when the socket is readable, and only then takes a buffer from the pool
// and reads into it. An idle connection then costs its goroutine and a few
// hundred bytes, not its buffers.
type Reader struct {
	rc     syscall.RawConn
	get    func() []byte
	put    func([]byte)
	buf    []byte
	n      int
	err    error
	readFn func(fd uintptr) bool // c.read, made once so that waiting allocates nothing
}

// New returns a Reader for c that takes its buffers with get and gives them
// back with put, or nil when c does not give access to its file descriptor
// (TLS, a wrapper, an in-memory connection): then read c as usual.
func New(c net.Conn, get func() []byte, put func([]byte)) *Reader {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &Reader{rc: rc, get: get, put: put}
	r.readFn = r.read
	return r
}

// read is called by the poller when the socket may be readable; it returns
// false (and gives the buffer back) to keep waiting.
func (r *Reader) read(fd uintptr) bool {
	if r.buf == nil {
		r.buf = r.get()
	}
	for {
		n, err := syscall.Read(int(fd), r.buf)
		if err == syscall.EINTR {
			continue
		}
		if err == syscall.EAGAIN {
			r.put(r.buf)
			r.buf = nil
			return false
		}
		r.n, r.err = n, err
		if n == 0 && err == nil {
			r.err = io.EOF
		}
		if n < 0 {
			r.n = 0
		}
		return true
	}
}

// Wait blocks until data arrives (or the read deadline passes) and returns
// a buffer from get holding n bytes of it. When data is there already, it
// costs one read, as a plain Read does.
func (r *Reader) Wait() (buf []byte, n int, err error) {
	r.buf, r.n, r.err = nil, 0, nil
	if werr := r.rc.Read(r.readFn); werr != nil {
		if r.buf != nil {
			r.put(r.buf)
			r.buf = nil
		}
		return nil, 0, werr
	}
	return r.buf, r.n, r.err
}

// Hold calls f as syscall.RawConn.Read does: at once, then each time the
// socket may be readable, until f returns true or the read deadline
// passes. Unlike a sequence of Waits, the poller's readiness state is
// reset only once, before f's first call, so that f may read, do other
// work, and return false to wait for bytes that arrive after its last
// read, without a read to find the socket empty.
func (r *Reader) Hold(f func(fd uintptr) bool) error { return r.rc.Read(f) }

//go:build unix

package volt

import (
	"io"
	"net"
	"syscall"
)

// idleReader waits for the next request of an idle keep-alive connection
// without holding a read buffer: it asks the runtime's poller to wake it
// when the socket is readable, and only then takes a buffer from the pool
// and reads into it. An idle connection then costs its goroutine and a few
// hundred bytes, not its buffers.
type idleReader struct {
	rc     syscall.RawConn
	get    func() []byte
	put    func([]byte)
	buf    []byte
	n      int
	err    error
	readFn func(fd uintptr) bool // c.read, made once so that waiting allocates nothing
}

func newIdleReader(c net.Conn, get func() []byte, put func([]byte)) *idleReader {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &idleReader{rc: rc, get: get, put: put}
	r.readFn = r.read
	return r
}

// read is called by the poller when the socket may be readable; it returns
// false (and gives the buffer back) to keep waiting.
func (r *idleReader) read(fd uintptr) bool {
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

// wait blocks until data arrives (or the read deadline passes) and returns
// a buffer from the pool holding n bytes of it.
func (r *idleReader) wait() (buf []byte, n int, err error) {
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

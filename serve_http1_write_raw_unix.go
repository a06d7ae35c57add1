//go:build unix

package volt

import (
	"net"
	"syscall"
)

// rawWriter writes to a TCP or Unix socket with one write(2) that never
// waits, outside the poller's deadline: a response that the socket takes
// whole needs no write deadline, so that the common case costs no timer
// change. What the socket does not take goes out through net.Conn.Write
// under a fresh deadline (see http1Conn.writePieces).
//
// Owned by the connection's goroutine.
type rawWriter struct {
	rc    syscall.RawConn // nil: not a socket of ours, or not tried yet
	tried bool
	// direct is set while the connection's goroutine serves from inside
	// a read callback of the socket (the held wait), whose descriptor is
	// then fd: the callback keeps it open, and no other goroutine writes
	// the connection, so writeNow writes to it without the poller.
	direct bool
	fd     int32
	p      []byte
	n      int
	fn     func(fd uintptr) bool // w.write, made once so that writing allocates nothing
}

// reset readies w for a new connection, keeping fn.
func (w *rawWriter) reset() { *w = rawWriter{fn: w.fn} }

// setDirect has writeNow write to fd directly while the held wait's
// callback runs (fd >= 0), or no longer (fd < 0). A wrapper's Write is
// never bypassed: only a *net.TCPConn or *net.UnixConn is written to
// directly.
func (w *rawWriter) setDirect(conn net.Conn, fd int) {
	switch conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		w.direct, w.fd = fd >= 0, int32(fd)
	}
}

// writeDirect writes a prefix of p, at most writePiece bytes, with one
// write(2) while the held wait's callback runs (see setDirect), and
// returns its length; 0 otherwise.
func (w *rawWriter) writeDirect(p []byte) int {
	if !w.direct {
		return 0
	}
	return rawWriteFD(int(w.fd), p[:min(len(p), writePiece)])
}

// writeNow writes a prefix of p with one write(2) and returns its length:
// 0 when the socket buffer is full, on an error (which the caller's
// net.Conn.Write meets again, reported as net.Conn reports it), when the
// connection's write deadline has passed, or when conn is not a
// *net.TCPConn or *net.UnixConn (a wrapper's Write must not be bypassed).
func (w *rawWriter) writeNow(conn net.Conn, p []byte) int {
	if w.direct {
		return rawWriteFD(int(w.fd), p)
	}
	if !w.tried {
		w.tried = true
		var sc syscall.Conn
		switch nc := conn.(type) {
		case *net.TCPConn:
			sc = nc
		case *net.UnixConn:
			sc = nc
		default:
			return 0
		}
		w.rc, _ = sc.SyscallConn()
	}
	if w.rc == nil {
		return 0
	}
	if w.fn == nil {
		w.fn = w.write
	}
	w.p, w.n = p, 0
	if err := w.rc.Write(w.fn); err != nil {
		w.n = 0
	}
	w.p = nil
	return w.n
}

// write is called by the poller with the socket's descriptor; it returns
// true so that the poller never waits.
func (w *rawWriter) write(fd uintptr) bool {
	w.n = writeFD(int(fd), w.p)
	return true
}

// writeFD writes a prefix of p to fd with one write(2) and returns its
// length, 0 on an error.
func writeFD(fd int, p []byte) int {
	for {
		n, err := syscall.Write(fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n < 0 {
			return 0
		}
		return n
	}
}

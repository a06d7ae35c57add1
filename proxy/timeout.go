package proxy

import (
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// upstreamConn is a connection to an upstream that bounds every wait on
// it, under the deadlines the volt client sets (which are none, as the
// proxy sets no client timeouts):
//
//   - after a request was written, the first read waits at most header
//     (ResponseHeaderTimeout) for a byte of the response;
//   - any other read or write waits at most idle (IdleTimeout) for the
//     upstream to send or take a byte, however long the body is in all.
//
// The idle deadline is pushed forward only when an eighth of it passed
// since it was last set, so that a stream of reads or writes costs a
// clock read each rather than a timer update; a wait is then bounded by
// between 7/8 of idle and idle.
//
// A tunnel (off) has no deadline: the two peers decide how long it lasts.
//
// The volt client reads and writes a pooled connection from one goroutine
// at a time; a tunnel writes from one goroutine and reads from another
// (but sets off before), hence the atomic flags. armed, readDL and readSet
// belong to the reader, writeDL and writeSet to the writer.
type upstreamConn struct {
	net.Conn
	header, idle time.Duration

	waiting atomic.Bool // a request was written, no response byte yet
	off     atomic.Bool // a tunnel: no deadlines of the proxy's

	armed    bool      // the read deadline is the response-head deadline
	readDL   time.Time // the read deadline the client set
	readSet  time.Time // when the idle read deadline was last set
	writeDL  time.Time // the write deadline the client set
	writeSet time.Time // when the idle write deadline was last set
}

// earliest returns the earlier of the client's deadline dl (zero: none)
// and t.
func earliest(dl, t time.Time) time.Time {
	if !dl.IsZero() && dl.Before(t) {
		return dl
	}
	return t
}

func (c *upstreamConn) Write(p []byte) (int, error) {
	if !c.off.Load() {
		c.waiting.Store(true)
		if now := time.Now(); now.Sub(c.writeSet) > c.idle/8 {
			c.writeSet = now
			_ = c.Conn.SetWriteDeadline(earliest(c.writeDL, now.Add(c.idle)))
		}
	}
	return c.Conn.Write(p)
}

func (c *upstreamConn) Read(p []byte) (int, error) {
	if c.off.Load() {
		return c.Conn.Read(p)
	}
	switch now := time.Now(); {
	case c.waiting.Load():
		if !c.armed {
			c.armed = true
			_ = c.Conn.SetReadDeadline(earliest(c.readDL, now.Add(c.header)))
		}
	case now.Sub(c.readSet) > c.idle/8:
		c.readSet = now
		_ = c.Conn.SetReadDeadline(earliest(c.readDL, now.Add(c.idle)))
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.armed {
		// The response began: from now on, the idle deadline.
		c.armed = false
		c.waiting.Store(false)
		c.readSet = time.Now()
		_ = c.Conn.SetReadDeadline(earliest(c.readDL, c.readSet.Add(c.idle)))
	}
	return n, err
}

func (c *upstreamConn) SetReadDeadline(t time.Time) error {
	c.readDL, c.armed, c.readSet = t, false, time.Time{}
	return c.Conn.SetReadDeadline(t)
}

func (c *upstreamConn) SetWriteDeadline(t time.Time) error {
	c.writeDL, c.writeSet = t, time.Time{}
	return c.Conn.SetWriteDeadline(t)
}

func (c *upstreamConn) SetDeadline(t time.Time) error {
	c.readDL, c.armed, c.readSet = t, false, time.Time{}
	c.writeDL, c.writeSet = t, time.Time{}
	return c.Conn.SetDeadline(t)
}

// tunnel turns the proxy's deadlines off for good: the connection now
// carries another protocol.
func (c *upstreamConn) tunnel() {
	c.off.Store(true)
	_ = c.Conn.SetDeadline(time.Time{})
}

// errNoSyscallConn is returned by SyscallConn for a connection without a
// file descriptor.
var errNoSyscallConn = errors.New("proxy: connection has no file descriptor")

// SyscallConn exposes the socket, so that the client can check an idle
// pooled connection for a close without reading through the wrapper.
func (c *upstreamConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errNoSyscallConn
}

// CloseWrite half-closes a TCP connection (tunnels pass a peer's end of
// stream on).
func (c *upstreamConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

package proxy

import (
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// upstreamConn is a connection to an upstream that bounds the wait for a
// response: after a request was written, the first read waits at most
// timeout for a byte (ResponseHeaderTimeout), whatever deadline the
// client set, if that one is later; once a byte arrived, the client's
// deadline applies alone, so that a body may take its time.
//
// The volt client reads and writes a pooled connection from one goroutine
// at a time; a tunnel writes from one goroutine and reads from another,
// hence the atomic flags. armed and readDL belong to the reader.
type upstreamConn struct {
	net.Conn
	timeout time.Duration
	waiting atomic.Bool // a request was written, no response byte yet
	off     atomic.Bool // a tunnel: no more response heads to wait for
	armed   bool        // the conn's read deadline is the response deadline
	readDL  time.Time   // the read deadline set by the client
}

func (c *upstreamConn) Write(p []byte) (int, error) {
	c.waiting.Store(true)
	return c.Conn.Write(p)
}

func (c *upstreamConn) Read(p []byte) (int, error) {
	if !c.armed && c.waiting.Load() && !c.off.Load() {
		c.armed = true
		dl := time.Now().Add(c.timeout)
		if !c.readDL.IsZero() && c.readDL.Before(dl) {
			dl = c.readDL
		}
		_ = c.Conn.SetReadDeadline(dl)
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.armed {
		c.armed = false
		c.waiting.Store(false)
		_ = c.Conn.SetReadDeadline(c.readDL)
	}
	return n, err
}

func (c *upstreamConn) SetReadDeadline(t time.Time) error {
	c.readDL, c.armed = t, false
	return c.Conn.SetReadDeadline(t)
}

func (c *upstreamConn) SetDeadline(t time.Time) error {
	c.readDL, c.armed = t, false
	return c.Conn.SetDeadline(t)
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

// CloseWrite half-closes a TCP connection (tunnels pass a peer's
// end of stream on).
func (c *upstreamConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

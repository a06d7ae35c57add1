package proxyproto

import (
	"net"
	"syscall"
)

// Conn is a connection accepted from a trusted peer. RemoteAddr and
// LocalAddr report the header's source and destination (for a Proxy
// command with an address: a *net.TCPAddr for TCP, *net.UDPAddr for UDP,
// *net.UnixAddr for Unix); a Local command, an Unspec protocol or a
// missing header (Config.Optional) keep the connection's own addresses.
//
// A Conn is read by one goroutine at a time, as a net.Conn is.
type Conn struct {
	net.Conn
	header        *Header
	remote, local net.Addr
	// pending holds bytes read while looking for a header that turned
	// out not to be there (Config.Optional, no peek); Read returns them
	// first.
	pending []byte
}

func newConn(c net.Conn, h *Header, pending []byte) *Conn {
	pc := &Conn{Conn: c, header: h, pending: pending}
	if h != nil {
		pc.remote, pc.local = h.addrs()
	}
	return pc
}

// Header returns the header the peer sent, or nil if it sent none
// (Config.Optional).
func (c *Conn) Header() *Header { return c.header }

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.Conn }

// RemoteAddr returns the header's source address, or the peer's.
func (c *Conn) RemoteAddr() net.Addr {
	if c.remote != nil {
		return c.remote
	}
	return c.Conn.RemoteAddr()
}

// LocalAddr returns the header's destination address, or the local one.
func (c *Conn) LocalAddr() net.Addr {
	if c.local != nil {
		return c.local
	}
	return c.Conn.LocalAddr()
}

// Read reads the bytes held back from the header search first, then from
// the connection.
func (c *Conn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		return n, nil
	}
	return c.Conn.Read(p)
}

// SyscallConn returns the raw connection of the underlying socket, so
// that a server can wait for readability or write without the wrapper.
// It fails with ErrPendingBytes while Read still has bytes held back
// (reading the socket directly would skip them), and with
// syscall.EINVAL when the underlying connection has no descriptor.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	if len(c.pending) > 0 {
		return nil, ErrPendingBytes
	}
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, syscall.EINVAL
	}
	return sc.SyscallConn()
}

// CloseWrite shuts down the writing side of the underlying connection,
// if it has one (TCP and Unix sockets do).
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return syscall.EINVAL
}

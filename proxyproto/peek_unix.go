//go:build unix

package proxyproto

import (
	"io"
	"net"
	"syscall"
)

// peeker looks at the bytes waiting on a socket without taking them.
type peeker struct{ rc syscall.RawConn }

// newPeeker returns a peeker for a TCP or Unix socket, or a zero one
// (peek unavailable) for anything else, whose Read may hold bytes of
// its own.
func newPeeker(c net.Conn) *peeker {
	var sc syscall.Conn
	switch nc := c.(type) {
	case *net.TCPConn:
		sc = nc
	case *net.UnixConn:
		sc = nc
	default:
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &peeker{rc: rc}
}

// peek copies into buf the bytes waiting on the socket, once there are
// more than have of them (or the peer closed: io.EOF), and returns how
// many it copied. It waits under the connection's read deadline.
func (p *peeker) peek(buf []byte, have int) (n int, err error) {
	rerr := p.rc.Read(func(fd uintptr) bool {
		for {
			m, _, e := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK)
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				return false
			case e != nil:
				err = e
			case m == 0:
				err = io.EOF
			case m <= have:
				return false // nothing new: wait for more
			default:
				n = m
			}
			return true
		}
	})
	if rerr != nil {
		return 0, rerr
	}
	return n, err
}

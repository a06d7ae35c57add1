//go:build unix

package volt

import "syscall"

const idleCheckSupported = true

// peekFD is called by the runtime with the socket of an idle connection.
// Go's sockets are non-blocking: a read returns EAGAIN when nothing is
// pending, which is the healthy case. Anything else (a byte, which is
// consumed, but the connection is dropped anyway; 0 for EOF; an error)
// marks the connection bad. It never asks the poller to wait.
func (cc *clientConn) peekFD(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), cc.idle.byte[:])
		if err == syscall.EINTR {
			continue
		}
		cc.idle.bad = !(n < 0 && err == syscall.EAGAIN)
		return true
	}
}

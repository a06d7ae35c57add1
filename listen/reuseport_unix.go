//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package listen

import (
	"net"
	"syscall"
)

const reusePortSupported = true

// setReusePort sets SO_REUSEPORT on a socket before it is bound; it fits
// net.ListenConfig.Control.
func setReusePort(_, _ string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
	}); err != nil {
		return err
	}
	if serr != nil {
		return &net.OpError{Op: "setsockopt", Net: "tcp", Err: serr}
	}
	return nil
}

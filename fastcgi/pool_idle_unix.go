//go:build unix

package fastcgi

import "syscall"

// idleCheck looks at an idle connection's socket without waiting.
type idleCheck struct {
	raw  syscall.RawConn // nil if the connection has none
	bad  bool
	byte [1]byte
	fn   func(fd uintptr) bool
}

func (cn *conn) initIdle() {
	if sc, ok := cn.nc.(syscall.Conn); ok {
		cn.idle.raw, _ = sc.SyscallConn()
	}
	cn.idle.fn = cn.idle.peekFD
}

// alive reports whether an idle connection may carry a request: nothing
// was sent on it since the last request (a byte or EOF means the
// application closed it or is out of step).
func (cn *conn) alive() bool {
	if cn.br.Buffered() > 0 {
		return false
	}
	if cn.idle.raw == nil {
		return true
	}
	cn.idle.bad = true
	if err := cn.idle.raw.Read(cn.idle.fn); err != nil {
		return false
	}
	return !cn.idle.bad
}

// peekFD reads from the non-blocking socket once: EAGAIN, the healthy
// case, means nothing is pending. It never asks the poller to wait.
func (i *idleCheck) peekFD(fd uintptr) bool {
	for {
		n, err := syscall.Read(int(fd), i.byte[:])
		if err == syscall.EINTR {
			continue
		}
		i.bad = !(n < 0 && err == syscall.EAGAIN)
		return true
	}
}

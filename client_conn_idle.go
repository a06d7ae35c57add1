package volt

import (
	"crypto/tls"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/volthttp/volt/internal/memconn"
)

// An idle pooled connection must be silent: a server sends nothing
// between responses, so bytes that arrived while the connection sat in
// the pool (an unsolicited response, a stray body) would be read as the
// answer to the next request, and an EOF means the server closed it.
// acquireConn checks a connection with idleOK before reusing it, and drops
// it on anything but "nothing pending".

// idleCheck is the state of idleOK, set up once per connection so that the
// check allocates nothing.
type idleCheck struct {
	rc   syscall.RawConn    // the socket, when the connection gives it
	fn   func(uintptr) bool // cc.peekFD, made once
	mem  *memconn.Conn      // an in-memory connection (tests, benchmarks)
	bad  bool               // what peekFD saw
	byte [1]byte
}

// initIdleCheck finds the socket under cc's connection (under TLS too).
func (cc *clientConn) initIdleCheck() {
	var raw net.Conn = cc.c
	if tc, ok := raw.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if mc, ok := raw.(*memconn.Conn); ok {
		cc.idle.mem = mc
		return
	}
	if !idleCheckSupported {
		return
	}
	if sc, ok := raw.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			cc.idle.rc = rc
			cc.idle.fn = cc.peekFD
		}
	}
}

// idleOK reports whether nothing arrived on cc (no byte, no EOF, no
// error) while it was idle. It does not block. A connection that gives
// no access to its socket (a wrapper of the user's) is taken as healthy,
// as before the check existed.
func (cc *clientConn) idleOK() bool {
	switch {
	case cc.idle.rc != nil:
		cc.idle.bad = false
		if err := cc.idle.rc.Read(cc.idle.fn); err != nil {
			// A read deadline of the last request passed while idle: clear
			// it and look again.
			_ = cc.c.SetReadDeadline(time.Time{})
			if err := cc.idle.rc.Read(cc.idle.fn); err != nil {
				return false
			}
		}
		return !cc.idle.bad
	case cc.idle.mem != nil:
		// memconn returns buffered data and EOF before it looks at the
		// deadline: a deadline in the past makes the read non-blocking.
		_ = cc.idle.mem.SetReadDeadline(aLongTimeAgo)
		n, err := cc.idle.mem.Read(cc.idle.byte[:])
		return n == 0 && err == os.ErrDeadlineExceeded
	}
	return true
}

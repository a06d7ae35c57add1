//go:build linux

package volt

import (
	"io"
	"net"
	"syscall"
	"time"
)

// The held wait of a busy keep-alive connection, on Linux.
//
// A goroutine that reads a socket through net.Conn.Read makes two reads
// per request on a keep-alive connection: once its response is written,
// it reads again, finds nothing yet (EAGAIN) and only then waits in the
// runtime's poller, because every Read first resets the poller's
// readiness state for the socket and so must try the socket before it
// may wait. The held wait avoids that read: the connection's goroutine
// serves from inside one syscall.RawConn.Read callback (idleread's Hold),
// whose readiness state is reset only once, before its first call. Each
// call reads what arrived; a read shorter than the buffer drained the
// socket (a stream socket returns all it has, up to the buffer's size),
// so once the requests it completed are answered, the callback returns
// false and the poller wakes it when new bytes arrive. The runtime's
// poller is edge-triggered: bytes that arrive after the short read raise
// a new event, which either wakes the wait or, arriving earlier, lets it
// return at once. One read per request, as an edge-triggered event loop
// does, and the handler still runs on the connection's goroutine.
//
// While the callback runs, the goroutine holds the socket's read lock,
// so nothing may read the connection through net.Conn then, and a Close
// from another goroutine would wait for the callback to return. Hence:
//   - Only requests whose head and body are buffered whole are served
//     held. One that needs more bytes, or that asks to upgrade, leaves
//     the held wait before anything of it is consumed (errLeaveHeld) and
//     is served by the usual loop, which reads as it likes.
//   - A hijack is done after the held wait ended (errHijackHeld).
//   - RequestCtx.Done watches the socket with hupwatch only, never with
//     a reading goroutine: where hupwatch cannot watch, a held request's
//     Done is closed by cancellation and deadlines, not by the client
//     leaving.
//   - Server.Close shuts a held socket down instead of closing it
//     (ServerConn.closeConn); the goroutine closes it on its way out.
//   - A server with a ConnState hook never holds: the hook gets the
//     net.Conn, and runs in the callback.
//
// Held serving is entered from park, in place of its parkDelay wait, and
// ends after parkDelay without a request (then park parks the
// connection as before), or when a request needs the usual loop, or
// when the connection ends.

// holdable reports whether the connection's next wait may be held.
func (c *http1Conn) holdable() bool {
	return c.srv.ConnState == nil && !c.srv.disableHold
}

// hold serves the connection's requests from a held wait, as described
// above. It returns os.ErrDeadlineExceeded after parkDelay without a
// request (or when Shutdown ended the wait), nil when bytes are buffered
// that the usual loop must serve, errHeldEnd when a request served held
// ended the connection (c.heldErr holds what serveRequest returned), or
// the error that ends the connection.
func (c *http1Conn) hold() error {
	if !c.sc.enterHold() {
		return net.ErrClosed
	}
	c.heldErr = nil
	c.heldOut = heldWaiting
	c.held = true
	err := c.idle.Hold(c.heldFn)
	c.held = false
	c.raw.setDirect(c.conn, -1)
	if c.sc.leaveHold() {
		// Server.Close shut the socket down meanwhile: whatever the
		// callback saw, the connection ends.
		return net.ErrClosed
	}
	switch c.heldOut {
	case heldRead:
		return c.heldErr // a read error or EOF, with nothing buffered
	case heldLeave:
		return nil
	case heldEnd:
		return errHeldEnd
	}
	return err
}

// Outcomes of the held callback.
const (
	heldWaiting = iota // still waiting: Hold returned the poller's error
	heldRead           // the read failed or met EOF
	heldLeave          // bytes are buffered for the usual loop
	heldEnd            // serveRequest ended the connection
)

// heldRead is the held wait's callback: it reads what arrived, serves the
// requests it completes, and returns false to wait for more once a short
// read drained the socket, or true to leave the held wait.
func (c *http1Conn) heldRead(fd uintptr) bool {
	c.raw.setDirect(c.conn, int(fd))
	for {
		if c.br.buf == nil {
			c.br.buf = readBufPool.get(orInt(c.srv.ReadBufferSize, DefaultReadBufferSize))
		}
		size := len(c.br.buf)
		n, err := rawRead(int(fd), c.br.buf)
		if err == syscall.EINTR {
			continue
		}
		if th := hooks(); th != nil && th.heldRead != nil {
			th.heldRead(n)
		}
		if err == syscall.EAGAIN {
			// Nothing came (the wait's first read, or a stale
			// readiness event): the buffer goes back, so that a
			// connection that turns idle holds none. One that just
			// served a request keeps its buffer for the next.
			readBufPool.put(c.br.buf)
			c.br.buf = nil
			return false
		}
		if n <= 0 {
			readBufPool.put(c.br.buf)
			c.br.buf = nil
			if err == nil {
				err = io.EOF
			}
			c.heldOut, c.heldErr = heldRead, err
			return true
		}
		c.br.r, c.br.w = 0, n
		c.sc.SetIdle(false)
		if !c.serveHeld() {
			return true
		}
		if n < size {
			return false // drained: the poller reports the next bytes
		}
	}
}

// serveHeld serves the buffered requests and, once none is left, readies
// the connection to wait as idle. It reports false, with c.heldOut set,
// when the held wait must end.
func (c *http1Conn) serveHeld() bool {
	for len(c.br.buffered()) > 0 {
		c.prepareRequest()
		keep, err := c.serveRequest(c.ctx)
		if err == errLeaveHeld {
			c.heldOut = heldLeave
			return false
		}
		if err != nil || !keep {
			c.heldOut, c.heldErr = heldEnd, err
			return false
		}
	}
	if err := c.heldIdle(); err != nil {
		c.heldOut, c.heldErr = heldEnd, err
		return false
	}
	return true
}

// heldIdle readies a held connection to wait for its next request, as
// goIdle and idleDeadline do for the plain wait, except that the
// RequestCtx is reset rather than pooled and the buffers are kept: a busy
// connection then makes no pool round trip per request. park gives them
// back when the held wait ends idle.
//
// The time is the last request's (RequestCtx.Time, taken when its
// handler started), not a new reading of the clock, which costs as much
// as a tenth of a request's user time here. After a slow handler it is
// early, the parkDelay deadline may then have passed, and the connection
// parks at once instead of parkDelay later: a cost only if its next
// request follows within parkDelay.
func (c *http1Conn) heldIdle() error {
	last, err := c.goIdle(true)
	if err != nil {
		return err
	}
	if last.IsZero() {
		last = time.Now()
	}
	return c.idleDeadlineAt(last)
}

// shutdownSocket shuts both directions of c's socket down, without
// closing it (see ServerConn.closeConn).
func shutdownSocket(c net.Conn) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		_ = c.Close()
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		_ = c.Close()
		return
	}
	_ = rc.Control(func(fd uintptr) { _ = syscall.Shutdown(int(fd), syscall.SHUT_RDWR) })
}

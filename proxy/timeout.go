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
//     (ResponseHeaderTimeout) from its start for a byte of the response;
//   - any other read or write waits at most idle (IdleTimeout) for the
//     upstream to send or take a byte, however long the body is in all.
//
// Deadlines are applied lazily: a read or write computes the deadline it
// should wait under and changes the socket's only when that differs from
// the one in place. The idle and header deadlines move forward only when
// an eighth of them passed since they were last set (a wait is then
// bounded by between 7/8 of its timeout and the timeout), and the deadlines the client sets before each
// request (none) are applied at its next read or write. A small exchange
// thus costs one deadline change, not five.
//
// A tunnel (off) has no deadline: the two peers decide how long it lasts.
//
// The volt client reads and writes a pooled connection from one goroutine
// at a time (the pool hands it over under its lock); a tunnel writes from
// one goroutine and reads from another, but only after off was set, hence
// the atomic flags. The read fields belong to the reader, the write fields
// to the writer.
type upstreamConn struct {
	net.Conn
	header, idle time.Duration

	waiting atomic.Bool // a request was written, no response byte yet
	off     atomic.Bool // a tunnel: no deadlines of the proxy's

	armed    bool      // waiting, and armAt is set for this wait
	armAt    time.Time // start of the header deadline: when a wait began, at most header/8 ago
	readDL   time.Time // the read deadline the client set
	readSet  time.Time // the start of the idle read deadline
	readNow  time.Time // the read deadline on the socket
	lastRead time.Time // when a read last returned bytes

	writeDL  time.Time // the write deadline the client set
	writeSet time.Time // the start of the idle write deadline
	writeNow time.Time // the write deadline on the socket
}

// recentlyActive is how long after a read that returned bytes an idle
// connection is taken as open without asking the socket: an upstream that
// closes connections idle for less is not expected, and a connection it
// closed anyway fails before a response byte, which the client retries
// for idempotent requests. Under load this saves a read(2) per request.
const recentlyActive = time.Second

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
		now := time.Now()
		if now.Sub(c.writeSet) > c.idle/8 {
			c.writeSet = now
		}
		if want := earliest(c.writeDL, c.writeSet.Add(c.idle)); !want.Equal(c.writeNow) {
			c.writeNow = want
			_ = c.Conn.SetWriteDeadline(want)
		}
	}
	return c.Conn.Write(p)
}

func (c *upstreamConn) Read(p []byte) (int, error) {
	if c.off.Load() {
		return c.Conn.Read(p)
	}
	now := time.Now()
	var want time.Time
	if c.waiting.Load() {
		if !c.armed {
			c.armed = true
			if now.Sub(c.armAt) > c.header/8 {
				c.armAt = now
			}
		}
		want = earliest(c.readDL, c.armAt.Add(c.header))
	} else {
		if now.Sub(c.readSet) > c.idle/8 {
			c.readSet = now
		}
		want = earliest(c.readDL, c.readSet.Add(c.idle))
	}
	if !want.Equal(c.readNow) {
		c.readNow = want
		_ = c.Conn.SetReadDeadline(want)
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.lastRead = now // at most earlier than the bytes came
		if c.armed {
			// The response began: the next read waits under the idle
			// deadline, from then.
			c.armed = false
			c.waiting.Store(false)
			c.readSet = time.Time{}
		}
	}
	return n, err
}

// SetReadDeadline records the client's read deadline; the next Read
// applies it.
func (c *upstreamConn) SetReadDeadline(t time.Time) error {
	c.readDL = t
	return nil
}

// SetWriteDeadline records the client's write deadline; the next Write
// applies it.
func (c *upstreamConn) SetWriteDeadline(t time.Time) error {
	c.writeDL = t
	return nil
}

// SetDeadline applies t at once (the client aborts a call with a deadline
// in the past).
func (c *upstreamConn) SetDeadline(t time.Time) error {
	c.readDL, c.readNow = t, t
	c.writeDL, c.writeNow = t, t
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
// pooled connection for a close without reading through the wrapper. The
// check is skipped for a connection that was recentlyActive.
func (c *upstreamConn) SyscallConn() (syscall.RawConn, error) {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return nil, errNoSyscallConn
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	return &idleCheckConn{RawConn: rc, c: c}, nil
}

// idleCheckConn is the socket of an upstreamConn as the client's idle
// check sees it.
type idleCheckConn struct {
	syscall.RawConn
	c *upstreamConn
}

// Read runs f on the socket, unless the connection read bytes less than
// recentlyActive ago: f then does not run, which the check takes as
// healthy.
//
// A deadline of the last request may have passed while the connection was
// idle: it is cleared first, so that the check sees the socket.
func (r *idleCheckConn) Read(f func(fd uintptr) bool) error {
	c := r.c
	if time.Since(c.lastRead) < recentlyActive {
		return nil
	}
	if !c.readNow.IsZero() {
		c.readNow = time.Time{}
		_ = c.Conn.SetReadDeadline(time.Time{})
	}
	return r.RawConn.Read(f)
}

// CloseWrite half-closes a TCP connection (tunnels pass a peer's end of
// stream on).
func (c *upstreamConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}

package volt

import (
	"errors"
	"os"
	"time"

	"github.com/volthttp/volt/internal/park"
)

// Parking of idle HTTP/1.1 connections.
//
// A keep-alive connection that waits for its next request holds no
// goroutine and no buffer: once its response is written and nothing is
// buffered, its read and write buffers and its RequestCtx are back in
// their pools; after parkDelay without a request its socket is parked
// with internal/park (one epoll instance for the process, waited on by
// the runtime's poller), and the goroutine that served it returns to the
// server's worker pool. When the socket becomes readable (a request, or
// the client closing or resetting), park calls Wake, which has a worker
// resume the connection: it reads the request's first bytes and serves
// on as before.
//
// What a parked connection holds: its ServerConn, its http1Conn (with the
// idleread.Reader and the park.Spot), the net.Conn and the runtime's
// poll descriptor, one slot in park's table, and the idle timer (a
// runtime timer made once per connection, reset at each park; about
// 140 bytes). bench/idlemem measures about 2.9 KB of RSS per idle
// connection in all, where a goroutine blocked in a read cost about
// 7 KB. Its read deadline is set as for a blocking wait, so that a
// resumed connection whose idle time is up fails its read with a timeout.
//
// Who resumes it: exactly one of
//   - park (Wake): bytes, a half-close, a reset or an error;
//   - the idle timer, once IdleTimeout has passed;
//   - Server.Shutdown and Server.Close.
//
// The idle timer, Shutdown and Close take the connection back with
// Spot.Unpark, which reports whether they won against Wake; the winner
// has a worker run c.resume.
// The resumed worker's read fails on the passed deadline (idle timer,
// Shutdown) or the closed connection (Close), and the connection closes,
// as after a blocking wait.
//
// Only first-hand sockets are parked: TLS connections (whose record
// layer may hold a whole request read ahead) and connections without a
// file descriptor (in-memory conns, wrappers) keep the blocking wait of
// readIdle, a goroutine each. So does the wait for a connection's first
// request, which is bounded by the header timeout, and the wait of a
// server whose IdleTimeout is at most 2*parkDelay.

// errNotParked is park's report that the connection cannot be parked: it
// waits with a blocking read instead.
var errNotParked = errors.New("volt: connection not parked")

// parkDelay is how long an idle connection waits for its next request
// with its goroutine before it is parked. A busy keep-alive connection's
// next request usually comes within it: it is read as by the blocking
// wait, at the same cost (no epoll_ctl, no hand-over to another worker
// per request). A connection idle for longer gives its goroutine back.
const parkDelay = 10 * time.Millisecond

// parkDelay is the server's park delay: parkDelay, unless a test set
// another.
func (s *Server) parkDelay() time.Duration {
	if s.testParkDelay > 0 {
		return s.testParkDelay
	}
	return parkDelay
}

// park waits parkDelay for the next request, then parks the idle
// connection. It returns nil when the request's first bytes came (they
// are buffered), errParked when it parked the connection (the caller
// returns at once: another goroutine may own c already), errNotParked
// when the connection cannot be parked, or the error that ends the
// connection.
func (c *http1Conn) park() error {
	if c.idle == nil || c.sc.tlsState != nil || c.spotTried && c.spot == nil {
		return errNotParked
	}
	s := c.srv
	timeout := s.idleTimeout()
	if timeout > 0 && timeout <= 2*s.parkDelay() {
		return errNotParked // a blocking wait is about as short
	}
	if err := c.idleDeadline(); err != nil {
		return err
	}
	var err error
	if c.holdable() {
		err = c.hold()
	} else {
		err = c.readWaiting()
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err // the request came (nil), or the connection ended
	}
	// Idle for parkDelay: park. A Shutdown that woke this wait finds
	// the server closing here, or calls unpark (it calls it again until
	// every connection is gone).
	if s.shutting.Load() {
		return ErrServerClosed
	}
	// What the held wait kept goes back to the pools.
	if c.ctx != nil {
		c.sc.ReleaseCtx(c.ctx)
		c.ctx, c.ctxClean = nil, false
	}
	c.releaseBuffers()
	// The idle time counts from now: it is at most parkDelay longer than
	// the time since the last request ended.
	var until time.Time
	if timeout > 0 {
		until = time.Now().Add(timeout)
	}
	if !c.spotTried {
		// Made at the first park, so that a short-lived connection
		// never registers with park.
		c.spotTried = true
		if c.spot, _ = park.NewSpot(c.conn, c); c.spot == nil {
			return errNotParked
		}
	}
	if err := c.setReadDeadline(until); err != nil {
		return err
	}
	sc := c.sc
	sc.park(c.unparkFn, until)
	if err := c.spot.Park(); err != nil {
		sc.unparked()
		return err
	}
	// From here on, c may be resumed on another goroutine: it is not
	// touched again. A connection whose idle time is up already (a very
	// short IdleTimeout) is resumed now, its timer having fired before
	// the spot was armed.
	sc.idleCheck()
	return errParked
}

// idleDeadline readies the wait of a connection that became idle: its
// buffers go back to their pools, and the parkDelay read deadline is set.
// The deadline of the last wait serves again while at least half of
// parkDelay is left of it: a busy connection then rearms no timer per
// request, and parks after parkDelay/2 to parkDelay of idleness.
func (c *http1Conn) idleDeadline() error {
	c.releaseBuffers()
	return c.idleDeadlineAt(time.Now())
}

// idleDeadlineAt is idleDeadline for a connection that keeps its buffers
// (the held wait's), at time now, which may be a little early (see
// heldIdle): the deadline then serves for a shorter wait.
func (c *http1Conn) idleDeadlineAt(now time.Time) error {
	if c.srv.shutting.Load() {
		return ErrServerClosed
	}
	if !now.Before(c.parkRearm) {
		d := c.srv.parkDelay()
		if err := c.setReadDeadline(now.Add(d)); err != nil {
			return err
		}
		c.parkRearm = now.Add(d / 2)
	}
	return nil
}

// Wake is park's report that the parked socket is readable, hung up or in
// error. It runs on park's goroutine.
func (c *http1Conn) Wake() { c.dispatch() }

// unparkIdle is the ServerConn's unpark hook: called with its lock held
// by Shutdown, Close or the idle timer, it takes the connection back from
// its spot if Wake did not, and has it resumed.
func (c *http1Conn) unparkIdle() {
	if c.spot.Unpark() {
		c.dispatch()
	}
}

// dispatch has a worker resume the connection. Past Shutdown the pool
// refuses work: a goroutine of its own then closes the connection.
func (c *http1Conn) dispatch() {
	if !c.srv.workers.Go(c.resumeFn) {
		go c.resume()
	}
}

// resume serves a connection that was parked, on a worker: it is the root
// of the connection's goroutine from then on, as ServerConn.serve was
// (panics are logged and close the connection only), until the
// connection closes or is parked again.
func (c *http1Conn) resume() {
	sc := c.sc
	parked := false
	defer func() {
		if r := recover(); r != nil || !parked {
			sc.finish(r)
		}
	}()
	c.woke = true
	_, err := c.run(false)
	parked = err == errParked
}

// readResumed reads the first bytes of the next request of a connection
// resumed from parking. The read deadline set when it was parked still
// holds: a connection resumed by its idle timer times out here at once;
// one resumed by Shutdown finds the deadline that Shutdown sets on idle
// connections, and Close closed the connection. Bytes that arrived are
// read, as by a blocking wait: Shutdown spares a request whose reading
// started.
//
// The unpark hook is cleared after the read, not before: Shutdown calls
// it with the ServerConn's lock held, and a wait for that lock must not
// come between the bytes of a request and their reading. A hook call
// meanwhile finds the spot unparked and does nothing.
func (c *http1Conn) readResumed() error {
	err := c.readWaiting()
	c.sc.unparked()
	return err
}

// setReadDeadline sets the connection's read deadline. Every deadline of
// an HTTP/1.1 connection is set through it, so that park knows whether
// the parkDelay deadline it set last still holds.
func (c *http1Conn) setReadDeadline(t time.Time) error {
	c.parkRearm = time.Time{}
	return c.conn.SetReadDeadline(t)
}

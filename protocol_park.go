package volt

import (
	"errors"
	"runtime/debug"
	"time"
)

// errParked is returned by a protocol's serving function when it parked
// the connection: it waits for its next bytes without a goroutine, and
// the protocol resumes it on a worker when they come. The goroutine that
// served it returns to the worker pool and must not touch the connection
// any more; ServerConn.serve leaves it open.
var errParked = errors.New("volt: connection parked")

// Reports of the held wait (serve_http1_held_linux.go) to the loop that
// serves the connection.
var (
	// errLeaveHeld: the request needs reads, so the usual loop serves it;
	// nothing of it was consumed.
	errLeaveHeld = errors.New("volt: request leaves the held wait")
	// errHijackHeld: the request is to be hijacked once the held wait
	// ended.
	errHijackHeld = errors.New("volt: hijack after the held wait")
	// errHeldEnd: a request served held ended the connection; the
	// http1Conn's heldErr says how.
	errHeldEnd = errors.New("volt: connection ended in the held wait")
)

// Parking, on the ServerConn side: while the connection is parked, unpark
// is set (guarded by mu). Shutdown, Close and the idle timer call it with
// mu held; it takes the connection back from its parking spot, if it is
// still parked, and has a worker resume it (which then sees the server
// closing, or the read deadline passed, and closes the connection). The
// protocol clears it with unparked before it touches the connection
// again, so that no late call reaches a connection that was resumed.

// park records that the connection is about to be parked until the read
// deadline until (zero: no idle limit). Call it before arming the
// parking spot, and call idleCheck after: a connection parked past until
// is unparked then. The idle timer is made once per connection and reset
// at each park.
func (c *ServerConn) park(unpark func(), until time.Time) {
	c.mu.Lock()
	c.unpark, c.parkedUntil = unpark, until
	c.mu.Unlock()
	if until.IsZero() {
		return
	}
	d := time.Until(until)
	if c.idleTimer == nil {
		c.idleTimer = time.AfterFunc(d, c.idleCheck)
	} else {
		c.idleTimer.Reset(d)
	}
}

// unparked ends the parking: no unpark call runs or will run once it
// returns.
func (c *ServerConn) unparked() {
	c.mu.Lock()
	c.unpark = nil
	c.mu.Unlock()
	if c.idleTimer != nil {
		c.idleTimer.Stop()
	}
}

// idleCheck unparks the connection if it is parked and its idle time is
// up. The idle timer runs it; so does the protocol right after parking.
func (c *ServerConn) idleCheck() {
	c.mu.Lock()
	if c.unpark != nil && !c.parkedUntil.IsZero() && !time.Now().Before(c.parkedUntil) {
		c.unpark()
	}
	c.mu.Unlock()
}

// unparkNow unparks the connection if it is parked (Server.Close).
func (c *ServerConn) unparkNow() {
	c.mu.Lock()
	if c.unpark != nil {
		c.unpark()
	}
	c.mu.Unlock()
}

// finish ends the connection's service: a panic r (if not nil) is logged
// with its stack, and the connection closes. It runs at the root of the
// goroutine that served the connection last.
func (c *ServerConn) finish(r any) {
	if r != nil {
		c.srv.logger().Error("volt: connection panic", "panic", r,
			"remote", c.conn.RemoteAddr().String(), "stack", string(debug.Stack()))
	}
	c.close()
}

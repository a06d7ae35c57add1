package volt

import (
	"time"

	"github.com/volthttp/volt/internal/park"
)

// Parking for registered protocols (ServerConn.Park, ErrParked).
//
// A protocol (such as HTTP/2) parks an idle connection in two steps: it
// calls Park from its serving function, then returns ErrParked. The
// socket is armed only once that function has returned, by whoever
// called it (ServerConn.serve, or the worker that ran resume): the
// protocol's call stack is gone, and with it anything that still held
// the connection (an HTTP/1.1 connection that switched protocols gives
// back its buffers and socket watches first). Parked, the connection is
// resumed exactly once, as an HTTP/1.1 one is (protocol_park.go): by park
// (bytes, a half-close, a reset or an error), by the idle timer once
// until has passed, or by Server.Shutdown and Server.Close; a worker then
// calls the protocol's resume function.

// protocolPark is the parking state of a connection served by a
// registered protocol. It is made by the first Park and belongs to the
// connection's owner, but for Wake and unpark, which hand the connection
// to a worker.
type protocolPark struct {
	c       *ServerConn
	spot    *park.Spot // nil when the socket cannot be parked
	resume  func() error
	until   time.Time
	pending bool // Park was called: armed when the serving function returns ErrParked

	runFn, unparkFn func() // p.run and p.unpark, made once so that parking allocates nothing
}

// Park asks the server to park the connection once the protocol's serving
// function (ServeConn, ServeUpgrade, or resume itself) returns ErrParked:
// the connection then holds no goroutine until its socket has bytes to
// read, is hung up or in error, its idle time ends at until (zero: no
// limit), or the server shuts down or closes. A worker of the server then
// calls resume, which serves the connection from then on as ServeConn
// did: it returns ErrParked after calling Park again, or anything else to
// have the server close the connection. A panic in resume is logged and
// closes the connection.
//
// Park reports false, and the protocol waits in a read as before, when
// the connection cannot be parked: TLS connections, connections without
// a socket of their own (in-memory conns, wrappers), bytes read ahead
// that Read has not returned yet, platforms other than Linux.
//
// Call it when the connection would block reading with nothing else to
// do: no request running, nothing left to write, no partial frame read,
// and the read deadline set to until. Until the serving function returns
// ErrParked the protocol still owns the connection; once it has
// returned, it must not touch the connection's state, which another
// goroutine may own already. A serving function that called Park and
// returns anything else than ErrParked cancels the parking.
//
// resume may be called while nothing is readable: when Server.Shutdown
// runs (after the OnShutdown hook), when Server.Close closed the
// connection, when until has passed, or when the socket could not be
// armed after all. The protocol finds out by reading, with the deadline
// it set, and from ShuttingDown.
func (c *ServerConn) Park(until time.Time, resume func() error) bool {
	if c.tlsState != nil || len(c.pending) > 0 || resume == nil {
		return false
	}
	p := c.pp
	if p == nil {
		p = &protocolPark{c: c}
		p.runFn, p.unparkFn = p.run, p.unpark
		p.spot, _ = park.NewSpot(c.conn, p)
		c.pp = p
	}
	if p.spot == nil {
		return false
	}
	p.resume, p.until, p.pending = resume, until, true
	return true
}

// parkProtocol parks the connection if the protocol's serving function
// returned ErrParked after Park; it reports whether it did (the caller
// must then leave the connection alone). A connection that cannot be
// armed is resumed at once, on the calling goroutine.
func (c *ServerConn) parkProtocol(err error) bool {
	p := c.pp
	for err == ErrParked && p != nil && p.pending {
		p.pending = false
		if p.arm() {
			return true
		}
		err = p.resume()
	}
	if p != nil {
		p.pending = false
	}
	return false
}

// arm parks the socket; it reports false when it cannot be watched
// (closed, say). From a true return on, another goroutine may own the
// connection.
func (p *protocolPark) arm() bool {
	c := p.c
	c.park(p.unparkFn, p.until)
	if err := p.spot.Park(); err != nil {
		c.unparked()
		return false
	}
	// A connection whose idle time is up already is resumed now, its
	// timer having fired before the spot was armed.
	c.idleCheck()
	return true
}

// Wake is park's report that the parked socket is readable, hung up or in
// error. It runs on park's goroutine.
func (p *protocolPark) Wake() { p.dispatch() }

// unpark is the ServerConn's unpark hook: called with its lock held by
// Shutdown, Close or the idle timer, it takes the connection back from
// its spot if Wake did not, and has it resumed.
func (p *protocolPark) unpark() {
	if p.spot.Unpark() {
		p.dispatch()
	}
}

// dispatch has a worker resume the connection. Past Shutdown the pool
// refuses work: a goroutine of its own runs it then.
func (p *protocolPark) dispatch() {
	if !p.c.srv.workers.Go(p.runFn) {
		go p.run()
	}
}

// run resumes the protocol on a worker: it is the root of the
// connection's goroutine from then on, as ServerConn.serve was, until the
// connection closes or is parked again.
func (p *protocolPark) run() {
	c := p.c
	parked := false
	defer func() {
		if r := recover(); r != nil || !parked {
			c.finish(r)
		}
	}()
	c.unparked()
	parked = c.parkProtocol(p.resume())
}

// closeProtocolPark releases the parking spot, before the connection
// closes (by its owner).
func (c *ServerConn) closeProtocolPark() {
	if p := c.pp; p != nil && p.spot != nil {
		p.spot.Close()
	}
}

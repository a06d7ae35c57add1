package websocket

import (
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/park"
	"github.com/volthttp/volt/pool"
)

// The event-driven server side: connections that hold no goroutine and no
// buffer while they wait for the peer.

// EventHandler receives the events of the connections opened with
// Upgrader.UpgradeEvents. For one connection, the calls are made one at a
// time, in order: OnOpen, then OnMessage for each data message, then
// OnClose once. They run on a worker goroutine, taken from a pool shared
// by all event-driven connections when bytes arrive: a callback that
// blocks holds that worker and delays its connection's next events (not
// those of other connections). A handler may serve many connections at
// once (its methods are called concurrently for different connections).
type EventHandler interface {
	// OnOpen is called once the connection is open, before any message.
	OnOpen(c *Conn)
	// OnMessage is called with each data message (text or binary), whole
	// and checked (size limit, UTF-8, decompressed). The argument p is
	// only valid until the callback returns; copy it to keep it.
	OnMessage(c *Conn, mt MessageType, p []byte)
	// OnClose is called once when the connection ended, with the reason:
	// a *CloseError (the peer's close frame, one this side sent for a
	// protocol error, or StatusAbnormalClosure when the network connection
	// ended without one, ErrPingTimeout after a keep-alive timeout) or a
	// network error. The network connection is closed when it is called.
	OnClose(c *Conn, err error)
}

// errPark is returned by fill, between messages of an event-driven
// connection whose buffer is empty: the connection parks.
var errPark = errors.New("websocket: park")

// errHandlerPanic is the Err of the CloseError OnClose gets after an
// EventHandler callback panicked.
var errHandlerPanic = errors.New("websocket: event handler panicked")

// evState is the event-driven side of a Conn.
//
// Ownership: one goroutine at a time owns the reading side: the one that
// ran UpgradeEvents' hijack handler, then each worker that Wake starts,
// until it parks the socket; or whoever takes the socket back from the
// parking with Spot.Unpark (reap). The owner alone reads and ends the
// connection (end).
type evState struct {
	c     *Conn
	h     EventHandler
	spot  *park.Spot     // nil when the socket cannot be parked
	det   *volt.Detached // nil over HTTP/2
	woken bool           // the socket reported readable: read before parking; owner only
	ended atomic.Bool
	run   func() // c.ev.serve, bound once
}

var (
	evWorkers     pool.Workers
	evWorkersOnce sync.Once
)

// goWorker runs f on a worker of the shared pool.
func goWorker(f func()) {
	evWorkersOnce.Do(evWorkers.Start)
	if !evWorkers.Go(f) {
		go f()
	}
}

// Wake implements park.Waker: the socket is readable (or hung up), and a
// worker takes the connection.
func (ev *evState) Wake() { goWorker(ev.run) }

// serve runs on a worker after a wake-up.
func (ev *evState) serve() {
	ev.woken = true
	ev.loop(false)
}

// loop reads and dispatches messages until the connection parks or ends;
// open calls OnOpen first. A panic in a callback is logged and ends the
// connection with StatusInternalError.
func (ev *evState) loop(open bool) {
	c := ev.c
	defer func() {
		if r := recover(); r != nil {
			slog.Default().Error("websocket: event handler panic", "panic", r, "stack", string(debug.Stack()))
			_ = c.writeClose(StatusInternalError, "", time.Now().Add(closeFrameTimeout))
			ev.end(&CloseError{Code: StatusInternalError, Err: errHandlerPanic})
		}
	}()
	if open {
		ev.h.OnOpen(c)
	}
	for {
		if c.netClosed.Load() {
			ev.end(c.endReason())
			return
		}
		mt, p, err := c.ReadMessage()
		switch {
		case err == errPark:
			if c.closed.Load() {
				ev.end(c.endReason())
				return
			}
			// After Park, a wake-up may start another worker at once:
			// nothing here touches c anymore.
			if ev.spot.Park() != nil {
				ev.end(c.endReason())
			}
			return
		case err != nil:
			ev.end(err)
			return
		}
		ev.h.OnMessage(c, mt, p)
	}
}

// reap runs after the network connection was closed by someone other than
// the owner (Close, the keep-alive timeout, a forced close after the
// closing handshake timed out): a parked socket reports nothing once
// closed, so the connection is ended here if it is parked.
func (ev *evState) reap() {
	if ev.spot != nil && ev.spot.Unpark() {
		goWorker(func() { ev.end(ev.c.endReason()) })
	}
}

// end ends the connection, once: the network connection is closed, the
// server forgets it, and OnClose is called. The owner calls it.
func (ev *evState) end(err error) {
	if ev.ended.Swap(true) {
		return
	}
	c := ev.c
	c.stopTimers()
	c.closed.Store(true)
	if ev.spot != nil {
		ev.spot.Close()
	}
	_ = c.closeNet()
	c.releaseMessageBuffers()
	if c.rbuf != nil {
		c.releaseReadBuf()
	}
	if ev.det != nil {
		_ = ev.det.Close()
	}
	defer func() {
		if r := recover(); r != nil {
			slog.Default().Error("websocket: event handler panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	ev.h.OnClose(c, err)
}

// endReason is the error OnClose gets when the connection ends other than
// by a read.
func (c *Conn) endReason() error {
	switch {
	case c.readErr != nil && c.readErr != errPark:
		return c.readErr
	case c.timedOut.Load():
		return &CloseError{Code: StatusAbnormalClosure, Err: ErrPingTimeout}
	}
	return &CloseError{Code: StatusAbnormalClosure, Err: net.ErrClosed}
}

// UpgradeEvents is Upgrade for an event-driven connection: it checks the
// opening handshake as Upgrade does (with the same answers and errors to
// a bad one), and once the handler of ctx has returned and the 101
// response is out, h receives the connection's events (see EventHandler).
// Call it from a volt handler, and return from that handler afterwards.
//
// While it waits for the peer, a connection holds no goroutine and no
// buffer (some 3.3 KiB of resident memory per idle connection in all,
// measured with bench/wsidlemem): on Linux its socket is parked with the server's epoll instance
// (internal/park), and a worker of a shared pool is taken only when bytes
// arrive; it reads what is there, answers control frames (a ping with a
// pong, a close frame with a close frame), calls OnMessage for each whole
// message, and parks the socket again when its read buffer is empty
// between messages. A message that has begun to arrive keeps its worker,
// reading, until it is whole; the keep-alive pings (PingInterval,
// PongTimeout) bound a peer that stops in the middle of one, as they bound
// a peer that stays silent. Every limit of Config applies as with
// Upgrade. Writes (WriteMessage, WriteControl, WriteClose, Close) may come
// from any goroutine, OnMessage included; they write directly, under the
// connection's locks, bounded by WriteTimeout. Keep-alive pings come
// from a timer.
//
// With permessage-deflate and no context takeover (Compression's
// default), an idle connection holds no compression state either; with
// ContextTakeover, it keeps its compressor and decompressor (their
// windows), some hundreds of KiB.
//
// The server counts the connection (ServerStats.HijackedConns, OpenConns,
// Concurrency) until OnClose. When the server shuts down, a close frame
// with StatusGoingAway is sent; the connection ends when the client
// answers, or CloseTimeout later. Conn.Close ends it from the server's
// side (a close frame, then the network connection closes).
//
// Where the socket cannot be parked (TLS, an in-memory connection, a
// system other than Linux) and over HTTP/2 (RFC 8441), the connection
// keeps a goroutine that waits for the peer; the events are the same.
func (u *Upgrader) UpgradeEvents(ctx *volt.RequestCtx, h EventHandler) error {
	subprotocol, pm, err := u.accept(ctx)
	if err != nil {
		return err
	}
	cfg := &u.Config
	if ctx.Request.Header.IsHTTP2() {
		ctx.Hijack(func(nc net.Conn) {
			c := newConn(nc, true, cfg, subprotocol, pm, nil)
			c.overHTTP2 = true
			c.ev = &evState{c: c, h: h}
			c.stopOnDone = ctx.AfterFunc(c.shutdown)
			c.ev.loop(true)
		})
		return nil
	}
	ctx.HijackDetached(func(d *volt.Detached) {
		nc := d.Conn()
		c := newConn(nc, true, cfg, subprotocol, pm, d.Pending())
		ev := &evState{c: c, h: h, det: d}
		ev.run = ev.serve
		c.ev = ev
		if spot, ok := park.NewSpot(nc, ev); ok {
			ev.spot = spot
			c.idle = nil // the parking waits, not an idle reader
		}
		d.OnShutdown(c.shutdown)
		if ev.spot == nil {
			go ev.loop(true)
			return
		}
		// The first round runs here, on the server's goroutine: the bytes
		// read past the handshake, then the socket parks.
		ev.loop(true)
	})
	return nil
}

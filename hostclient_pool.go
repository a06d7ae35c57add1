package volt

import (
	"context"
	"net"
	"time"
)

// connWaiter is a caller queued for a connection (MaxConnWaitTimeout). It
// receives either a connection or nil, which hands it a free slot to dial.
type connWaiter struct {
	ch chan *clientConn // capacity 1
}

// acquireConn returns an idle connection (most recently used first) or a
// multiplexed one with a stream free (e, its stream counted), dials a new
// one within MaxConns, or waits for one up to MaxConnWaitTimeout. The wait
// and the dial end early when ctx (which may be nil) ends.
func (c *HostClient) acquireConn(deadline time.Time, ctx context.Context) (cc *clientConn, e *muxEntry, err error) {
	now := time.Now()
	maxIdle := c.maxIdle()
	var waitUntil time.Time
	c.mu.Lock()
	for {
		if len(c.mux) > 0 {
			if e := c.pickMuxLocked(now); e != nil {
				c.mu.Unlock()
				return nil, e, nil
			}
		}
		if cc := c.takeIdleLocked(now, maxIdle); cc != nil {
			c.mu.Unlock()
			return cc, nil, nil
		}
		// A multiplexed connection being dialed will serve this caller
		// too: wait for it rather than dial another.
		muxWait := c.muxState != muxOff && c.muxDialing > 0
		if !muxWait && c.open < orInt(c.MaxConns, DefaultMaxConnsPerHost) {
			c.open++
			muxDial := c.muxState != muxOff
			if muxDial {
				c.muxDialing++
			}
			c.mu.Unlock()
			return c.dial(deadline, ctx, muxDial)
		}
		wait := c.MaxConnWaitTimeout
		if muxWait {
			wait = max(wait, c.dialTimeout())
		}
		if waitUntil.IsZero() {
			waitUntil = now.Add(wait)
			if !deadline.IsZero() && deadline.Before(waitUntil) {
				waitUntil = deadline
			}
		}
		if wait <= 0 || !now.Before(waitUntil) {
			c.mu.Unlock()
			if !deadline.IsZero() && !now.Before(deadline) {
				return nil, nil, ErrTimeout
			}
			return nil, nil, ErrNoFreeConns
		}
		w := &connWaiter{ch: make(chan *clientConn, 1)}
		c.waiters = append(c.waiters, w)
		c.mu.Unlock()
		handed, err := c.waitConn(w, waitUntil, deadline, ctx)
		switch {
		case err != nil:
			return nil, nil, err
		case handed == nil:
			return c.dial(deadline, ctx, false) // a slot freed: the waiter dials
		case handed != muxWake:
			handed.reused = true
			return handed, nil, nil
		}
		now = time.Now()
		c.mu.Lock()
	}
}

// takeIdleLocked returns the most recently used idle connection that is
// still good, or nil, closing the stale ones on the way. c.mu must be
// held; it is released and taken again meanwhile.
func (c *HostClient) takeIdleLocked(now time.Time, maxIdle time.Duration) *clientConn {
	for n := len(c.idle); n > 0; n = len(c.idle) {
		cc := c.idle[n-1]
		c.idle[n-1] = nil
		c.idle = c.idle[:n-1]
		if now.Sub(cc.lastUse) > maxIdle {
			c.open--
			c.mu.Unlock()
			cc.close()
			c.mu.Lock()
			continue
		}
		c.mu.Unlock()
		if !cc.idleOK() {
			// Something arrived while it was idle: it cannot be the answer
			// to the request about to be sent.
			cc.close()
			c.mu.Lock()
			c.open--
			continue
		}
		cc.reused = true
		c.mu.Lock()
		return cc
	}
	return nil
}

// waitConn waits until waitUntil for what releaseConn (a connection),
// freeSlot (nil: a slot to dial) or the multiplexed pool (muxWake) hands
// w, or for ctx to end.
func (c *HostClient) waitConn(w *connWaiter, waitUntil, deadline time.Time, ctx context.Context) (*clientConn, error) {
	t := time.NewTimer(time.Until(waitUntil))
	defer t.Stop()
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	var gaveUp error
	select {
	case cc := <-w.ch:
		return cc, nil
	case <-t.C:
		gaveUp = ErrNoFreeConns
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			gaveUp = ErrTimeout
		}
	case <-done:
		gaveUp = ctx.Err()
	}
	c.mu.Lock()
	for i, x := range c.waiters {
		if x == w {
			c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
			c.mu.Unlock()
			return nil, gaveUp
		}
	}
	c.mu.Unlock()
	// Handed something just as we gave up: take it, or hand it on.
	cc := <-w.ch
	if gaveUp != ErrNoFreeConns && gaveUp != ErrTimeout {
		switch cc {
		case nil:
			c.freeSlot()
		case muxWake:
			c.wakeOne()
		default:
			c.releaseConn(cc)
		}
		return nil, gaveUp
	}
	return cc, nil
}

// wakeOne hands muxWake to the longest-waiting caller, if any.
func (c *HostClient) wakeOne() {
	c.mu.Lock()
	w := c.popWaiter()
	c.mu.Unlock()
	if w != nil {
		w.ch <- muxWake
	}
}

// releaseConn returns a healthy connection to the pool, or hands it to a
// waiter.
func (c *HostClient) releaseConn(cc *clientConn) {
	cc.lastUse = time.Now()
	c.mu.Lock()
	if w := c.popWaiter(); w != nil {
		c.mu.Unlock()
		w.ch <- cc
		return
	}
	c.idle = append(c.idle, cc)
	if !c.cleaning {
		c.cleaning = true
		go c.clean()
	}
	c.mu.Unlock()
}

// closeConn closes a connection and frees its slot, for a waiter if there
// is one.
func (c *HostClient) closeConn(cc *clientConn) {
	cc.close()
	c.freeSlot()
}

func (c *HostClient) freeSlot() {
	c.mu.Lock()
	if w := c.popWaiter(); w != nil {
		c.mu.Unlock()
		w.ch <- nil
		return
	}
	c.open--
	c.mu.Unlock()
}

// popWaiter removes and returns the longest-waiting caller, or nil. c.mu
// must be held.
func (c *HostClient) popWaiter() *connWaiter {
	if len(c.waiters) == 0 {
		return nil
	}
	w := c.waiters[0]
	copy(c.waiters, c.waiters[1:])
	c.waiters[len(c.waiters)-1] = nil
	c.waiters = c.waiters[:len(c.waiters)-1]
	return w
}

// clean closes connections idle longer than MaxIdleConnDuration; it runs
// while the pool has idle connections.
func (c *HostClient) clean() {
	maxIdle := c.maxIdle()
	tick := max(min(maxIdle/2, time.Second), time.Millisecond)
	var stale []*clientConn
	for {
		time.Sleep(tick)
		now := time.Now()
		c.mu.Lock()
		// The oldest are first: idle is ordered by release time.
		n := 0
		for n < len(c.idle) && now.Sub(c.idle[n].lastUse) > maxIdle {
			n++
		}
		stale = append(stale[:0], c.idle[:n]...)
		m := copy(c.idle, c.idle[n:])
		for i := m; i < len(c.idle); i++ {
			c.idle[i] = nil
		}
		c.idle = c.idle[:m]
		c.open -= n
		muxIdle := len(c.mux) > 0 && c.cleanMuxLocked(now, maxIdle)
		done := len(c.idle) == 0 && !muxIdle
		if done {
			c.cleaning = false
		}
		c.mu.Unlock()
		for i, cc := range stale {
			cc.close()
			stale[i] = nil
		}
		if done {
			return
		}
	}
}

// CloseIdleConnections closes the idle connections of the pool.
func (c *HostClient) CloseIdleConnections() {
	c.mu.Lock()
	idle := c.idle
	c.idle = nil
	c.open -= len(idle)
	for i := 0; i < len(c.mux); i++ {
		if c.mux[i].active == 0 {
			c.dropMuxLocked(i)
			i--
		}
	}
	c.mu.Unlock()
	for _, cc := range idle {
		cc.close()
	}
}

// ConnsCount returns the number of open connections (idle or busy).
func (c *HostClient) ConnsCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.open
}

// dial opens a new connection on a slot already counted in open. With
// muxDial the dial is counted in muxDialing, and the callers waiting for
// it are woken when it ends. The connection is multiplexed (e) when the
// protocol applies (startMux).
func (c *HostClient) dial(deadline time.Time, ctx context.Context, muxDial bool) (*clientConn, *muxEntry, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	addr, err := c.nextAddr()
	var conn net.Conn
	var px *httpProxy
	if err == nil {
		conn, px, err = c.dialAddr(ctx, addr, deadline, false)
	}
	if err != nil {
		if muxDial {
			c.muxDialEnded(false)
		}
		c.freeSlot()
		return nil, nil, err
	}
	e, err := c.startMux(conn, px, muxDial)
	if e != nil || err != nil {
		return nil, e, err
	}
	cc := newClientConn(c, conn)
	cc.proxy = px
	return cc, nil, nil
}

package volt

import (
	"context"
	"time"
)

// connWaiter is a caller queued for a connection (MaxConnWaitTimeout). It
// receives either a connection or nil, which hands it a free slot to dial.
type connWaiter struct {
	ch chan *clientConn // capacity 1
}

// acquireConn returns an idle connection (most recently used first), dials
// a new one within MaxConns, or waits for one up to MaxConnWaitTimeout.
// The wait and the dial end early when ctx (which may be nil) ends.
func (c *HostClient) acquireConn(deadline time.Time, ctx context.Context) (*clientConn, error) {
	now := time.Now()
	maxIdle := c.maxIdle()
	c.mu.Lock()
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
		return cc, nil
	}
	if c.open < orInt(c.MaxConns, DefaultMaxConnsPerHost) {
		c.open++
		c.mu.Unlock()
		return c.dial(deadline, ctx)
	}
	if c.MaxConnWaitTimeout <= 0 {
		c.mu.Unlock()
		return nil, ErrNoFreeConns
	}
	w := &connWaiter{ch: make(chan *clientConn, 1)}
	c.waiters = append(c.waiters, w)
	c.mu.Unlock()

	wait := c.MaxConnWaitTimeout
	if !deadline.IsZero() {
		wait = min(wait, time.Until(deadline))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	var done <-chan struct{}
	if ctx != nil {
		done = ctx.Done()
	}
	var gaveUp error
	select {
	case cc := <-w.ch:
		return c.takeHanded(cc, deadline, ctx)
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
	// Handed something just as we gave up: take it, or hand it back.
	cc := <-w.ch
	if gaveUp != ErrNoFreeConns && gaveUp != ErrTimeout {
		if cc != nil {
			c.releaseConn(cc)
		} else {
			c.freeSlot()
		}
		return nil, gaveUp
	}
	return c.takeHanded(cc, deadline, ctx)
}

// takeHanded takes what releaseConn or closeConn handed a waiter.
func (c *HostClient) takeHanded(cc *clientConn, deadline time.Time, ctx context.Context) (*clientConn, error) {
	if cc == nil {
		return c.dial(deadline, ctx) // a slot freed: the waiter dials
	}
	cc.reused = true
	return cc, nil
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
		done := len(c.idle) == 0
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

// dial opens a new connection on a slot already counted in open.
func (c *HostClient) dial(deadline time.Time, ctx context.Context) (*clientConn, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	addr, err := c.nextAddr()
	if err != nil {
		c.freeSlot()
		return nil, err
	}
	conn, px, err := c.dialAddr(ctx, addr, deadline, false)
	if err != nil {
		c.freeSlot()
		return nil, err
	}
	cc := newClientConn(c, conn)
	cc.proxy = px
	return cc, nil
}

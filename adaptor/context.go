package adaptor

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/volthttp/volt"
)

// requestContext is the context of an *http.Request served by NewHandler.
// It is done when the RequestCtx is (client gone, stream reset, server
// shutdown) and when ServeHTTP returns, as net/http's is. It is allocated
// with its request and never reused, because a handler may keep it after
// ServeHTTP returns.
//
// The RequestCtx is watched only from the first call to Done, as volt
// watches the connection only then.
type requestContext struct {
	mu    sync.Mutex // guards everything below
	rc    *volt.RequestCtx
	local net.Addr
	done  chan struct{}
	err   error
	stop  func() bool // unregisters the AfterFunc on rc
}

func (c *requestContext) init(rc *volt.RequestCtx) {
	c.rc = rc
	c.local = rc.LocalAddr()
}

// Deadline implements context.Context: a request has none.
func (c *requestContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done implements context.Context.
func (c *requestContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		switch {
		case c.err != nil:
			close(c.done)
		case c.rc != nil:
			rc := c.rc
			// Registered under mu: cancel waits for it, and release
			// (which also takes mu) unregisters it before rc is reused.
			c.stop = rc.AfterFunc(func() { c.cancel(context.Canceled) })
		}
	}
	return c.done
}

// Err implements context.Context.
func (c *requestContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && c.rc != nil && c.done == nil {
		// Not watched: the RequestCtx knows of a shutdown all the same.
		if c.rc.Err() != nil {
			return context.Canceled
		}
	}
	return c.err
}

// Value implements context.Context: http.LocalAddrContextKey gives the
// connection's local address; nothing else is stored.
func (c *requestContext) Value(key any) any {
	if key == http.LocalAddrContextKey {
		return c.local
	}
	return nil
}

// cancel ends the context with err; the first reason wins.
func (c *requestContext) cancel(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
		if c.done != nil {
			close(c.done)
		}
	}
	c.mu.Unlock()
}

// release detaches the context from its RequestCtx, which is about to be
// reused: the AfterFunc is unregistered and the context no longer reads
// rc.
func (c *requestContext) release() {
	c.mu.Lock()
	stop := c.stop
	c.rc, c.stop = nil, nil
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// finish cancels the context once ServeHTTP returned.
func (c *requestContext) finish() {
	c.release()
	c.cancel(context.Canceled)
}

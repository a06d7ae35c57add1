package middleware

import (
	"sync"
	"time"

	"github.com/volthttp/volt"
)

// DefaultTimeout is the limit of a Timeout middleware whose
// TimeoutConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// TimeoutConfig configures Timeout.
type TimeoutConfig struct {
	// Timeout is the time a handler has. If zero, DefaultTimeout (30 s).
	Timeout time.Duration

	// Handler writes the answer to a request that timed out. If nil, the
	// answer is 503 Service Unavailable as text/plain.
	Handler volt.RequestHandler
}

// Timeout returns middleware that gives the handlers it wraps a time
// limit. When the time is up, the request's context is cancelled: ctx.Done
// closes and ctx.Err returns ErrTimeout (which matches
// context.DeadlineExceeded), so that a handler waiting on ctx.Done, or
// passing ctx to a database driver or an outgoing request, stops.
//
// The handler runs on the server's goroutine, as without the middleware:
// no goroutine is started and the RequestCtx is never shared. So the
// answer goes out when the handler returns, not at the deadline; a
// handler that ignores its context holds its connection until it is done.
// If the time ran out before the handler returned, whatever it wrote is
// discarded and the client gets 503 (or cfg.Handler's answer) instead:
// nothing the handler wrote after the deadline is sent. A response whose
// head the handler already sent (RequestCtx.Flush) cannot be replaced:
// it is finished as the handler left it, and the server closes the
// connection after it.
//
// A timer is taken from a pool for each request; the middleware
// allocates nothing when requests finish in time.
func Timeout(cfg TimeoutConfig) Middleware {
	d := cfg.Timeout
	if d <= 0 {
		d = DefaultTimeout
	}
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			t := acquireTimer(ctx, d)
			next(ctx)
			if !t.release() {
				return
			}
			if ctx.HeadSent() {
				ctx.Response.Header.SetConnectionClose()
				return
			}
			ctx.Hijack(nil)
			if cfg.Handler != nil {
				ctx.Response.Reset()
				cfg.Handler(ctx)
				return
			}
			ctx.Response.Reset() // nothing the handler wrote goes out
			ctx.Error(volt.StatusMessage(volt.StatusServiceUnavailable), volt.StatusServiceUnavailable)
		}
	}
}

// requestTimer cancels one request's context when its time is up. It is
// pooled; its timer is made once and reset for each request.
type requestTimer struct {
	t *time.Timer

	mu    sync.Mutex // guards ctx and fired: the timer's goroutine reads them
	ctx   *volt.RequestCtx
	fired bool
}

var timerPool sync.Pool

func acquireTimer(ctx *volt.RequestCtx, d time.Duration) *requestTimer {
	t, _ := timerPool.Get().(*requestTimer)
	if t == nil {
		t = &requestTimer{}
		t.ctx = ctx
		t.t = time.AfterFunc(d, t.fire)
		return t
	}
	t.mu.Lock()
	t.ctx, t.fired = ctx, false
	t.mu.Unlock()
	t.t.Reset(d)
	return t
}

// fire runs on the timer's goroutine.
func (t *requestTimer) fire() {
	t.mu.Lock()
	if t.ctx != nil {
		t.fired = true
		t.ctx.Cancel(ErrTimeout)
	}
	t.mu.Unlock()
}

// release stops the timer, forgets the request and reports whether the
// time ran out. A timer that did not fire goes back to the pool; one that
// fired may still be running fire, so it is left to the garbage collector
// (it can no longer reach the request).
func (t *requestTimer) release() (fired bool) {
	stopped := t.t.Stop()
	t.mu.Lock()
	fired = t.fired
	t.ctx = nil
	t.mu.Unlock()
	if stopped {
		// fire will not run for this request: the timer may be reused.
		timerPool.Put(t)
	}
	return fired
}

package volt

import (
	"log/slog"
	"runtime/debug"
	"time"
)

// Deadline implements context.Context. A request has no deadline of its
// own; use a timeout middleware or context.WithTimeout(ctx, d).
func (ctx *RequestCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done implements context.Context. The channel closes when the server shuts
// down, when the protocol learns that the client is gone, or (HTTP/2) when
// the stream is reset.
//
// On HTTP/1.1 the connection is watched only from the first call to Done,
// so handlers that never call it pay nothing. On Linux the server's one
// epoll watcher is told to report the client closing or resetting the
// socket (EPOLLRDHUP), which costs no system call per request after the
// first on a connection and reads nothing: a client that half-closes after
// sending another request is answered, not cancelled. Elsewhere (and for
// connections without a socket, such as in-memory ones) the first call
// starts a goroutine that reads from the connection while the handler
// runs: a read of EOF or an error closes the channel, and bytes it reads
// (a pipelined request) are kept for the server; that reader cannot watch
// while a streamed request body (Server.StreamRequestBody) is still
// unread, and then Done closes only on shutdown.
//
// Watching is for the handler's run: Done first called after the handler
// returned (by a goroutine it started, or in a hijack handler) starts no
// watcher, and its channel then closes only on shutdown.
func (ctx *RequestCtx) Done() <-chan struct{} {
	ctx.mu.Lock()
	if ctx.done != nil {
		d := ctx.done
		ctx.mu.Unlock()
		return d
	}
	d := make(chan struct{})
	ctx.done = d
	if ctx.err != nil {
		close(d)
	}
	ctx.mu.Unlock()
	if sc := ctx.sc; sc != nil {
		sc.watch(ctx)
	}
	return d
}

// Err implements context.Context: nil until Done closes, then
// ErrServerClosed, ErrClientGone or the protocol's reason; each matches
// context.Canceled with errors.Is.
func (ctx *RequestCtx) Err() error {
	ctx.mu.Lock()
	defer ctx.mu.Unlock()
	return ctx.err
}

// Value implements context.Context: it returns UserValue(key). Unlike
// UserValue, it may be called from any goroutine while the request runs.
func (ctx *RequestCtx) Value(key any) any {
	ctx.mu.Lock()
	defer ctx.mu.Unlock()
	return ctx.UserValue(key)
}

// Cancel ends the request's context with err (which should match
// context.Canceled). The first reason wins. Protocols call it when a
// request is aborted.
func (ctx *RequestCtx) Cancel(err error) {
	ctx.mu.Lock()
	var afters []ctxAfterFunc
	if ctx.err == nil {
		ctx.err = err
		if ctx.done != nil {
			close(ctx.done)
		}
		afters = ctx.afters
		ctx.afters = nil
		ctx.running.Add(len(afters))
	}
	ctx.mu.Unlock()
	for _, a := range afters {
		go ctx.runAfter(a.f)
	}
}

// AfterFunc arranges for f to run in its own goroutine once ctx is done,
// as context.AfterFunc does, but without a goroutine waiting meanwhile:
// context.AfterFunc(ctx, f) calls it. Like Done, it starts watching the
// connection on HTTP/1.1. Calling stop before f started unregisters it
// and reports true; the registration also ends when the request does
// (after the hijack handler returns, for a hijacked connection), and f is
// then never called. An f that started is waited for before ctx is reset
// for the next request: it may read ctx (Err, Value) until it returns.
//
// A hijacked WebSocket connection uses it to send a close frame when the
// server shuts down, without a goroutine per connection.
func (ctx *RequestCtx) AfterFunc(f func()) (stop func() bool) {
	ctx.Done()
	ctx.mu.Lock()
	if ctx.err != nil {
		ctx.running.Add(1)
		ctx.mu.Unlock()
		go ctx.runAfter(f)
		return func() bool { return false }
	}
	ctx.afterID++
	id := ctx.afterID
	ctx.afters = append(ctx.afters, ctxAfterFunc{id, f})
	ctx.mu.Unlock()
	return func() bool {
		ctx.mu.Lock()
		defer ctx.mu.Unlock()
		for i := range ctx.afters {
			if ctx.afters[i].id == id {
				ctx.afters = append(ctx.afters[:i], ctx.afters[i+1:]...)
				return true
			}
		}
		return false
	}
}

// runAfter runs an AfterFunc callback in its own goroutine: a panic in it
// is logged and stops there, as a handler's would, instead of ending the
// process. ctx is not reset (nor reused) until it returns.
func (ctx *RequestCtx) runAfter(f func()) {
	defer ctx.running.Done()
	defer func() {
		if r := recover(); r != nil {
			ctx.logger().Error("volt: AfterFunc panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	f()
}

// logger is the server's logger, or slog.Default() for a ctx outside a
// server. It is read by the handler's goroutine or by a callback that
// runAfter counts: never once ctx may be reset.
func (ctx *RequestCtx) logger() *slog.Logger {
	if ctx.sc != nil && ctx.sc.srv != nil {
		return ctx.sc.srv.logger()
	}
	return slog.Default()
}

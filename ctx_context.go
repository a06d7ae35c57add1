package volt

import "time"

// Deadline implements context.Context. A request has no deadline of its
// own; use a timeout middleware or context.WithTimeout(ctx, d).
func (ctx *RequestCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done implements context.Context. The channel closes when the server shuts
// down, when the protocol learns that the client is gone, or (HTTP/2) when
// the stream is reset.
//
// On HTTP/1.1 the connection is watched only from the first call to Done,
// so handlers that never call it pay nothing: the first call starts a
// goroutine that reads from the connection while the handler runs. A read
// of EOF or an error closes the channel; bytes it reads (a pipelined
// request) are kept for the server. The connection cannot be watched while
// a streamed request body (Server.StreamRequestBody) is still unread; then
// Done closes only on shutdown.
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

// Value implements context.Context: it returns UserValue(key).
func (ctx *RequestCtx) Value(key any) any { return ctx.UserValue(key) }

// Cancel ends the request's context with err (which should match
// context.Canceled). The first reason wins. Protocols call it when a
// request is aborted.
func (ctx *RequestCtx) Cancel(err error) {
	ctx.mu.Lock()
	if ctx.err == nil {
		ctx.err = err
		if ctx.done != nil {
			close(ctx.done)
		}
	}
	ctx.mu.Unlock()
}

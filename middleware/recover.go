package middleware

import (
	"log/slog"
	"runtime/debug"

	"github.com/volthttp/volt"
)

// RecoverConfig configures Recover.
type RecoverConfig struct {
	// Logger receives each panic, with its value, the request's method and
	// URI, and the goroutine's stack. If nil, slog.Default() is used.
	Logger *slog.Logger

	// Handler writes the answer to a request whose handler panicked with
	// v. If nil, the answer is 500 Internal Server Error as text/plain.
	Handler func(ctx *volt.RequestCtx, v any)
}

// Recover returns middleware that recovers a panic of the handlers it
// wraps, logs it with its stack and answers 500 (or cfg.Handler's answer),
// keeping the connection open. A panic after the response head was sent
// (RequestCtx.Flush) cannot be answered: it is logged and panics again,
// and the server closes the connection.
//
// volt.Server recovers panics too, but closes the connection; Recover
// lets the client go on, and lets the answer be chosen.
func Recover(cfg RecoverConfig) Middleware {
	log := cfg.Logger
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				l := log
				if l == nil {
					l = slog.Default()
				}
				l.Error("middleware: handler panic", "panic", v, "method", string(ctx.Method()),
					"uri", string(ctx.Request.Header.RequestURI()), "stack", string(debug.Stack()))
				if ctx.HeadSent() {
					panic(v)
				}
				ctx.Hijack(nil)
				if cfg.Handler != nil {
					ctx.Response.Reset()
					cfg.Handler(ctx, v)
					return
				}
				ctx.Response.Reset() // nothing the handler wrote goes out
				ctx.Error(volt.StatusMessage(volt.StatusInternalServerError), volt.StatusInternalServerError)
			}()
			next(ctx)
		}
	}
}

package middleware

import "github.com/volthttp/volt"

// Middleware wraps a handler in another. Every constructor of this
// package returns one; so does router.Middleware, the same type.
type Middleware = func(volt.RequestHandler) volt.RequestHandler

// Chain wraps h in mw, the first one outermost: Chain(h, a, b) runs a,
// then b, then h.
func Chain(h volt.RequestHandler, mw ...Middleware) volt.RequestHandler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

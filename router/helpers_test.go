package router

import (
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/routeset"
)

// newCtx returns a RequestCtx for method and target, as the server would
// hand it to a handler (without a connection).
func newCtx(method, target string) *volt.RequestCtx {
	ctx := new(volt.RequestCtx)
	ctx.Request.Header.SetMethod(method)
	ctx.Request.Header.SetHost("example.com")
	ctx.Request.SetRequestURI(target)
	return ctx
}

// githubRouter registers every GitHub route with a handler that writes
// its pattern.
func githubRouter(t testing.TB) (*Router, []routeset.Route) {
	routes := routeset.GitHub()
	r := &Router{}
	for _, rt := range routes {
		pattern := rt.Pattern
		r.Handle(rt.Method, rt.Pattern, func(ctx *volt.RequestCtx) { ctx.SetStatusCode(200 + len(pattern)%2) })
	}
	return r, routes
}

// nameHandler answers with its name, then the route parameters.
func nameHandler(name string) volt.RequestHandler {
	return func(ctx *volt.RequestCtx) {
		ctx.WriteString(name)
		if p := ParamsOf(ctx); p != nil {
			for k, v := range p.All() {
				ctx.WriteString(" " + k + "=" + string(v))
			}
		}
	}
}

// mustPanic runs f and returns the *PatternError it panics with.
func mustPanic(t *testing.T, f func()) (err *PatternError) {
	t.Helper()
	defer func() {
		v := recover()
		if v == nil {
			t.Fatal("no panic")
		}
		pe, ok := v.(*PatternError)
		if !ok {
			t.Fatalf("panic %T %v, want *PatternError", v, v)
		}
		err = pe
	}()
	f()
	return nil
}

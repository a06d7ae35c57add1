package router

import (
	"testing"

	"github.com/volthttp/volt"
)

// BenchmarkRouter routes requests of the GitHub API route set: all 203
// per operation ("all"), one without parameters ("static") and one with
// three ("params"). Each RequestCtx is built once, as the server reuses
// its RequestCtx; the handler checks the route it was given.
func BenchmarkRouter(b *testing.B) {
	r, routes := githubRouter(b)
	ctxs := make([]*volt.RequestCtx, len(routes))
	for i, rt := range routes {
		ctxs[i] = newCtx(rt.Method, rt.Path)
	}
	run := func(b *testing.B, ctxs []*volt.RequestCtx) {
		for _, ctx := range ctxs {
			r.Handler(ctx) // warm up: the first request sets up the RequestCtx's storage
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for _, ctx := range ctxs {
				ctx.Response.Header.SetStatusCode(0)
				r.Handler(ctx)
				if ctx.Response.StatusCode() > 201 {
					b.Fatalf("%s %s: %d", ctx.Method(), ctx.Path(), ctx.Response.StatusCode())
				}
			}
		}
	}
	b.Run("all", func(b *testing.B) { run(b, ctxs) })
	b.Run("static", func(b *testing.B) { run(b, []*volt.RequestCtx{newCtx("GET", "/user/repos")}) })
	b.Run("params", func(b *testing.B) {
		run(b, []*volt.RequestCtx{newCtx("GET", "/repos/volthttp/volt/pulls/42/commits")})
	})
	b.Run("params-reset", func(b *testing.B) {
		// As "params", with what the server does between two requests of
		// a connection: the RequestCtx closes its user values, so the
		// Params go back to the pool and are taken again.
		ctx := newCtx("GET", "/repos/volthttp/volt/pulls/42/commits")
		r.Handler(ctx)
		ParamsOf(ctx).Close()
		ctx.SetUserValue(ctxKey{}, nil)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r.Handler(ctx)
			ParamsOf(ctx).Close()
			ctx.SetUserValue(ctxKey{}, nil)
		}
	})
	b.Run("notfound", func(b *testing.B) {
		ctx := newCtx("GET", "/repos/volthttp/volt/nope")
		r.Handler(ctx)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r.Handler(ctx)
			if ctx.Response.StatusCode() != 404 {
				b.Fatal(ctx.Response.StatusCode())
			}
		}
	})
}

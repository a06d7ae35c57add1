package bench

import (
	"net/http"
	"strings"
	"testing"

	fasthttprouter "github.com/fasthttp/router"
	"github.com/julienschmidt/httprouter"
	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/routeset"
	"github.com/volthttp/volt/router"
)

// colonPattern writes a pattern in httprouter's syntax: {id} as :id.
func colonPattern(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = ":" + strings.Trim(s, "{}")
		}
	}
	return strings.Join(segs, "/")
}

// The three routers hold the same routes; every handler records which
// route it is (hit), so that each iteration checks it was routed right.
// Handlers do nothing else, as in go-http-routing-benchmark.

func voltRouter(routes []routeset.Route, hit *int) *router.Router {
	r := &router.Router{}
	for i, rt := range routes {
		r.Handle(rt.Method, rt.Pattern, func(*volt.RequestCtx) { *hit = i })
	}
	return r
}

func httpRouter(routes []routeset.Route, hit *int) *httprouter.Router {
	r := httprouter.New()
	for i, rt := range routes {
		r.Handle(rt.Method, colonPattern(rt.Pattern), func(http.ResponseWriter, *http.Request, httprouter.Params) { *hit = i })
	}
	return r
}

func fasthttpRouter(routes []routeset.Route, hit *int) *fasthttprouter.Router {
	r := fasthttprouter.New()
	for i, rt := range routes {
		r.Handle(rt.Method, rt.Pattern, func(*fasthttp.RequestCtx) { *hit = i })
	}
	return r
}

func voltCtx(method, path string) *volt.RequestCtx {
	ctx := new(volt.RequestCtx)
	ctx.Request.Header.SetMethod(method)
	ctx.Request.Header.SetHost("api.github.com")
	ctx.Request.SetRequestURI(path)
	ctx.Path() // parsed once, as the server does before the handler
	return ctx
}

func fasthttpCtx(method, path string) *fasthttp.RequestCtx {
	ctx := new(fasthttp.RequestCtx)
	ctx.Request.Header.SetMethod(method)
	ctx.Request.Header.SetHost("api.github.com")
	ctx.Request.SetRequestURI(path)
	ctx.Path()
	return ctx
}

func netRequest(tb testing.TB, method, path string) *http.Request {
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return req
}

// nopWriter is the http.ResponseWriter httprouter's handlers get.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

// BenchmarkRouterGitHub routes the 203 requests of the GitHub API set,
// one per route, per operation (go-http-routing-benchmark's GithubAll):
// volt's router.Router, julienschmidt/httprouter v1.3.0 (net/http) and
// fasthttp/router v1.5.4 (fasthttp). Requests are built once: a
// volt.RequestCtx, an *http.Request or a fasthttp.RequestCtx per route,
// with the path already parsed.
func BenchmarkRouterGitHub(b *testing.B) {
	routes := routeset.GitHub()
	var hit int
	b.Run("impl=volt", func(b *testing.B) {
		r := voltRouter(routes, &hit)
		ctxs := make([]*volt.RequestCtx, len(routes))
		for i, rt := range routes {
			ctxs[i] = voltCtx(rt.Method, rt.Path)
			r.Handler(ctxs[i]) // warm up: the first request of a RequestCtx sets up its storage
		}
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			for i, ctx := range ctxs {
				r.Handler(ctx)
				if hit != i {
					b.Fatalf("%s routed to %d", routes[i].Path, hit)
				}
			}
		}
	})
	b.Run("impl=httprouter", func(b *testing.B) {
		r := httpRouter(routes, &hit)
		reqs := make([]*http.Request, len(routes))
		for i, rt := range routes {
			reqs[i] = netRequest(b, rt.Method, rt.Path)
		}
		w := &nopWriter{h: http.Header{}}
		for _, req := range reqs {
			r.ServeHTTP(w, req)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			for i, req := range reqs {
				r.ServeHTTP(w, req)
				if hit != i {
					b.Fatalf("%s routed to %d", routes[i].Path, hit)
				}
			}
		}
	})
	b.Run("impl=fasthttprouter", func(b *testing.B) {
		r := fasthttpRouter(routes, &hit)
		ctxs := make([]*fasthttp.RequestCtx, len(routes))
		for i, rt := range routes {
			ctxs[i] = fasthttpCtx(rt.Method, rt.Path)
			r.Handler(ctxs[i])
		}
		h := r.Handler
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			for i, ctx := range ctxs {
				h(ctx)
				if hit != i {
					b.Fatalf("%s routed to %d", routes[i].Path, hit)
				}
			}
		}
	})
}

// paramRoute is the request of BenchmarkRouterGitHubParam: three
// parameters, the last one read by the handler.
var paramRoute = struct{ method, path, last, want string }{
	"GET", "/repos/volthttp/volt/pulls/1234/commits", "number", "1234",
}

// BenchmarkRouterGitHubParam routes one request with three parameters
// (GET /repos/{owner}/{repo}/pulls/{number}/commits) among the 203 routes,
// and reads one parameter in the handler.
func BenchmarkRouterGitHubParam(b *testing.B) {
	routes := routeset.GitHub()
	var got string
	b.Run("impl=volt", func(b *testing.B) {
		r := &router.Router{}
		for _, rt := range routes {
			r.Handle(rt.Method, rt.Pattern, func(ctx *volt.RequestCtx) {
				if v := router.Param(ctx, paramRoute.last); string(v) != paramRoute.want {
					got = string(v)
				}
			})
		}
		ctx := voltCtx(paramRoute.method, paramRoute.path)
		r.Handler(ctx)
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			r.Handler(ctx)
			if got != "" {
				b.Fatalf("param %q", got)
			}
		}
	})
	b.Run("impl=httprouter", func(b *testing.B) {
		r := httprouter.New()
		for _, rt := range routes {
			r.Handle(rt.Method, colonPattern(rt.Pattern), func(_ http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
				if v := ps.ByName(paramRoute.last); v != paramRoute.want {
					got = v
				}
			})
		}
		req := netRequest(b, paramRoute.method, paramRoute.path)
		w := &nopWriter{h: http.Header{}}
		r.ServeHTTP(w, req)
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			r.ServeHTTP(w, req)
			if got != "" {
				b.Fatalf("param %q", got)
			}
		}
	})
	b.Run("impl=fasthttprouter", func(b *testing.B) {
		r := fasthttprouter.New()
		for _, rt := range routes {
			r.Handle(rt.Method, rt.Pattern, func(ctx *fasthttp.RequestCtx) {
				if v, _ := ctx.UserValue(paramRoute.last).(string); v != paramRoute.want {
					got = v
				}
			})
		}
		ctx := fasthttpCtx(paramRoute.method, paramRoute.path)
		h := r.Handler
		h(ctx)
		b.ReportAllocs()
		b.ResetTimer()
		for n := 0; n < b.N; n++ {
			h(ctx)
			if got != "" {
				b.Fatalf("param %q", got)
			}
		}
	})
}

// TestRoutersAgree checks that the three routers send every request of
// the GitHub set to the same route with the same parameters, so that the
// benchmarks compare the same work.
func TestRoutersAgree(t *testing.T) {
	routes := routeset.GitHub()
	var hit int
	vr, hr, fr := voltRouter(routes, &hit), httpRouter(routes, &hit), fasthttpRouter(routes, &hit)
	for i, rt := range routes {
		hit = -1
		ctx := voltCtx(rt.Method, rt.Path)
		vr.Handler(ctx)
		if hit != i {
			t.Errorf("volt: %s %s routed to %d", rt.Method, rt.Path, hit)
		}
		for _, p := range rt.Params {
			if string(router.Param(ctx, p[0])) != p[1] {
				t.Errorf("volt: %s: %s = %q", rt.Path, p[0], router.Param(ctx, p[0]))
			}
		}
		hit = -1
		hr.ServeHTTP(&nopWriter{h: http.Header{}}, netRequest(t, rt.Method, rt.Path))
		if hit != i {
			t.Errorf("httprouter: %s %s routed to %d", rt.Method, rt.Path, hit)
		}
		h, ps, _ := hr.Lookup(rt.Method, rt.Path)
		if h == nil || len(ps) != len(rt.Params) {
			t.Errorf("httprouter: %s: %v", rt.Path, ps)
		}
		for _, p := range rt.Params {
			if ps.ByName(p[0]) != p[1] {
				t.Errorf("httprouter: %s: %s = %q", rt.Path, p[0], ps.ByName(p[0]))
			}
		}
		hit = -1
		fctx := fasthttpCtx(rt.Method, rt.Path)
		fr.Handler(fctx)
		if hit != i {
			t.Errorf("fasthttp/router: %s %s routed to %d", rt.Method, rt.Path, hit)
		}
		for _, p := range rt.Params {
			if v, _ := fctx.UserValue(p[0]).(string); v != p[1] {
				t.Errorf("fasthttp/router: %s: %s = %q", rt.Path, p[0], v)
			}
		}
	}
}

package middleware

import (
	"io"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/router"
)

// stackRouter is the handler the stack wraps: a router with a route like
// the GitHub API's, answering a short JSON body.
func stackRouter() *router.Router {
	r := &router.Router{}
	r.GET("/repos/{owner}/{repo}/pulls/{number}/commits", func(ctx *volt.RequestCtx) {
		ctx.SetContentType("application/json")
		ctx.WriteString(`{"number":`)
		ctx.Write(router.Param(ctx, "number"))
		ctx.WriteString(`}`)
	})
	return r
}

// stackCases are the middleware measured alone and together, shared by
// the benchmark and the allocation test.
func stackCases() []struct {
	name string
	mw   []Middleware
} {
	m := &Metrics{}
	all := func() []Middleware {
		return []Middleware{
			Recover(RecoverConfig{}),
			RequestID(RequestIDConfig{}),
			AccessLog(AccessLogConfig{Output: io.Discard}),
			(&Metrics{}).Wrap,
			CORS(CORSPolicy{Origins: []string{"https://app.example.com"}, Credentials: true}),
			IPFilter(IPFilterConfig{Deny: MustParsePrefixes("192.0.2.0/24")}),
			RateLimit(RateLimitConfig{Rate: 1e12, Burst: 1 << 30}),
			Timeout(TimeoutConfig{Timeout: time.Minute}),
			BodyLimit(1 << 20),
		}
	}
	return []struct {
		name string
		mw   []Middleware
	}{
		{"none", nil},
		{"Recover", []Middleware{Recover(RecoverConfig{})}},
		{"RequestID", []Middleware{RequestID(RequestIDConfig{})}},
		{"AccessLog", []Middleware{AccessLog(AccessLogConfig{Output: io.Discard})}},
		{"Metrics", []Middleware{m.Wrap}},
		{"CORS", []Middleware{CORS(CORSPolicy{Origins: []string{"https://app.example.com"}, Credentials: true})}},
		{"IPFilter", []Middleware{IPFilter(IPFilterConfig{Deny: MustParsePrefixes("192.0.2.0/24")})}},
		{"RateLimit", []Middleware{RateLimit(RateLimitConfig{Rate: 1e12, Burst: 1 << 30})}},
		{"Timeout", []Middleware{Timeout(TimeoutConfig{Timeout: time.Minute})}},
		{"BodyLimit", []Middleware{BodyLimit(1 << 20)}},
		{"BasicAuth", []Middleware{BasicAuth(BasicAuthConfig{Users: map[string]string{"alice": "s3cret"}})}},
		{"stack", all()},
	}
}

func stackCtx() *volt.RequestCtx {
	return newCtx("GET", "/repos/volthttp/volt/pulls/42/commits",
		"Origin", "https://app.example.com", "Authorization", "Basic YWxpY2U6czNjcmV0",
		"User-Agent", "bench/1.0")
}

// serveOnce runs h on ctx as the server would for one request of a
// keep-alive connection: response and request ID reset first.
func serveOnce(h volt.RequestHandler, ctx *volt.RequestCtx) {
	ctx.Response.Reset()
	ctx.Request.Header.Del("X-Request-ID")
	h(ctx)
}

// BenchmarkStack measures each middleware, then the whole stack (every
// middleware but the auth ones, as a public API would run them), around
// a router serving a route with three parameters. The cost of the
// middleware is the difference from "none".
func BenchmarkStack(b *testing.B) {
	r := stackRouter()
	for _, tc := range stackCases() {
		b.Run(tc.name, func(b *testing.B) {
			h := Chain(r.Handler, tc.mw...)
			ctx := stackCtx()
			serveOnce(h, ctx) // warm up: first-seen client, route, buffers
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				serveOnce(h, ctx)
				if ctx.Response.StatusCode() != 200 || string(ctx.Response.Body()) != `{"number":42}` {
					b.Fatalf("%d %q", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
		})
	}
}

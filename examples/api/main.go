// Command api is a small JSON API on volt: a to-do list served by a
// router, with route groups and the middleware stack.
//
//	go run ./examples/api -addr 127.0.0.1:8080 -token s3cret
//
// Reads are public; writes need "Authorization: Bearer <token>".
package main

import (
	"expvar"
	"flag"
	"io"
	"log"
	"os"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/middleware"
	"github.com/volthttp/volt/router"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", "dev-token", "bearer token that allows writes")
	flag.Parse()

	srv := &volt.Server{Handler: newAPI(config{token: *token, accessLog: os.Stdout}).handler}
	log.Printf("listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}

// config is what the API is built from; the tests build it their way.
type config struct {
	token     string
	accessLog io.Writer // nil: no access log
	origins   []string  // CORS origins; empty: any
	rate      float64   // requests per second per client; 0: 50
}

type api struct {
	store   *store
	metrics *middleware.Metrics
	handler volt.RequestHandler
}

func newAPI(cfg config) *api {
	a := &api{store: newStore(), metrics: &middleware.Metrics{}}
	if expvar.Get("api") == nil {
		expvar.Publish("api", a.metrics.Var())
	}

	r := &router.Router{}
	r.GET("/healthz", func(ctx *volt.RequestCtx) { writeJSON(ctx, 200, map[string]string{"status": "ok"}) })
	// Metrics and runtime counters, for local eyes only.
	r.GET("/debug/vars", middleware.IPFilter(middleware.IPFilterConfig{
		Allow: middleware.MustParsePrefixes("127.0.0.0/8", "::1", "0.0.0.0"),
	})(middleware.ExpvarHandler))

	cors := middleware.CORS(middleware.CORSPolicy{
		Origins:       cfg.origins,
		Methods:       []string{"GET", "HEAD", "POST", "PATCH", "DELETE"},
		Headers:       []string{"Content-Type", "Authorization"},
		ExposeHeaders: []string{"X-Request-ID", "Location"},
		MaxAge:        time.Hour,
	})
	v1 := r.Group("/api/v1", cors)
	v1.GET("/todos", a.list)
	v1.GET("/todos/{id}", a.get)

	// Writes: a bearer token, and small bodies.
	w := v1.Group("", middleware.BearerAuth(middleware.BearerAuthConfig{
		Realm:    "todos",
		Validate: middleware.StaticTokens(cfg.token),
	}), middleware.BodyLimit(16<<10))
	w.POST("/todos", a.create)
	w.PATCH("/todos/{id}", a.update)
	w.DELETE("/todos/{id}", a.remove)

	// A CORS preflight is an OPTIONS request, which no route serves: the
	// router answers it through Options, which goes through CORS too.
	r.Options = cors(func(ctx *volt.RequestCtx) { ctx.SetStatusCode(204) })
	r.NotFound = func(ctx *volt.RequestCtx) { writeError(ctx, 404, "no such resource") }
	r.MethodNotAllowed = func(ctx *volt.RequestCtx) { writeError(ctx, 405, "method not allowed") }

	rate := cfg.rate
	if rate == 0 {
		rate = 50
	}
	mw := []middleware.Middleware{
		middleware.Recover(middleware.RecoverConfig{}),
		middleware.RequestID(middleware.RequestIDConfig{}),
	}
	if cfg.accessLog != nil {
		mw = append(mw, middleware.AccessLog(middleware.AccessLogConfig{Format: middleware.LogCombined, Output: cfg.accessLog}))
	}
	mw = append(mw,
		a.metrics.Wrap,
		middleware.RateLimit(middleware.RateLimitConfig{Rate: rate, Burst: int(2 * rate)}),
		middleware.Timeout(middleware.TimeoutConfig{Timeout: 10 * time.Second}),
	)
	a.handler = middleware.Chain(r.Handler, mw...)
	return a
}

// ctxRequestID returns the request's ID (see middleware.RequestID).
func ctxRequestID(ctx *volt.RequestCtx) []byte { return middleware.RequestIDOf(ctx) }

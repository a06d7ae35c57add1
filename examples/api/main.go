// Command api is a small JSON API on volt: a to-do list served by a
// router, with route groups and the middleware stack.
//
//	API_TOKEN=s3cret go run ./examples/api -addr 127.0.0.1:8080
//	go run ./examples/api -token-file token.txt
//
// Reads are public; writes need "Authorization: Bearer <token>". The
// token comes from the API_TOKEN environment variable or a file, never
// from a flag: the command line is visible to every local user (ps,
// /proc) and to expvar's "cmdline". Without either, a random token is
// made and logged at start.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"expvar"
	"flag"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/middleware"
	"github.com/volthttp/volt/router"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	tokenFile := flag.String("token-file", "", "file holding the bearer token that allows writes (default: $API_TOKEN, or a random token)")
	flag.Parse()

	token, made, err := loadToken(os.Getenv("API_TOKEN"), *tokenFile)
	if err != nil {
		log.Fatal(err)
	}
	if made {
		log.Printf("no API_TOKEN nor -token-file: writes need the token %s", token)
	}
	srv := newServer(newAPI(config{token: token, accessLog: os.Stdout}).handler)
	log.Printf("listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}

// newServer returns the server of handler, with limits on every wait.
func newServer(handler volt.RequestHandler) *volt.Server {
	return &volt.Server{
		Handler:       handler,
		HeaderTimeout: 10 * time.Second,
		ReadTimeout:   30 * time.Second,
		WriteTimeout:  30 * time.Second,
		IdleTimeout:   60 * time.Second,
		MaxConnsPerIP: 64,
	}
}

// loadToken returns the bearer token: the contents of file (trimmed) if
// it is set, else env, else a random one (made reports that).
func loadToken(env, file string) (token string, made bool, err error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false, err
		}
		token = strings.TrimSpace(string(b))
		if token == "" {
			return "", false, errors.New("api: the token file is empty")
		}
		return token, false, nil
	case env != "":
		return env, false, nil
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", false, err
	}
	return hex.EncodeToString(b[:]), true, nil
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
	// Metrics and memory statistics, for local eyes only (0.0.0.0 is a
	// peer without an IP address, such as an in-memory connection). Only
	// the variables named are served: expvar also publishes the command
	// line, which may hold secrets.
	r.GET("/debug/vars", middleware.IPFilter(middleware.IPFilterConfig{
		Allow: middleware.MustParsePrefixes("127.0.0.0/8", "::1", "0.0.0.0"),
	})(middleware.ExpvarVars("api", "memstats")))

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

package middleware_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/middleware"
	"github.com/volthttp/volt/router"
	"github.com/volthttp/volt/volttest"
)

// Example builds a router whose admin group needs Basic credentials, and
// wraps it in a middleware stack.
func Example() {
	r := &router.Router{}
	r.GET("/hello/{name}", func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "hello %s", router.Param(ctx, "name"))
	})
	admin := r.Group("/admin", middleware.BasicAuth(middleware.BasicAuthConfig{
		Realm: "admin",
		Users: map[string]string{"alice": "s3cret"},
	}))
	admin.GET("/stats", func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "stats for %s", middleware.BasicAuthUser(ctx))
	})
	metrics := &middleware.Metrics{}
	h := middleware.Chain(r.Handler,
		middleware.Recover(middleware.RecoverConfig{}),
		middleware.RequestID(middleware.RequestIDConfig{
			Generate: func(dst []byte) []byte { return append(dst, "req-1"...) },
		}),
		metrics.Wrap,
		middleware.RateLimit(middleware.RateLimitConfig{Rate: 100, Burst: 10}),
		middleware.Timeout(middleware.TimeoutConfig{Timeout: 5 * time.Second}),
	)

	ln := volttest.NewListener()
	srv := &volt.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	c, _ := ln.Dial()
	defer c.Close()
	br := bufio.NewReader(c)
	for _, req := range []string{
		"GET /hello/volt HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /admin/stats HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /admin/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWxpY2U6czNjcmV0\r\n\r\n",
	} {
		io.WriteString(c, req)
		resp, _ := http.ReadResponse(br, nil)
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, resp.Header.Get("X-Request-ID"), resp.Header.Get("WWW-Authenticate"), string(body))
	}
	s := metrics.Snapshot()
	fmt.Println("2xx:", s.Requests["2xx"], "4xx:", s.Requests["4xx"], "routes:", len(s.Routes))
	// Output:
	// 200 req-1  hello volt
	// 401 req-1 Basic realm="admin", charset="UTF-8" Unauthorized
	// 200 req-1  stats for alice
	// 2xx: 2 4xx: 1 routes: 2
}

package router_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/router"
	"github.com/volthttp/volt/volttest"
)

// get serves one request to h on an in-memory connection and prints the
// status, the Location or Allow header if any, and the body.
func get(h volt.RequestHandler, method, target, host string) {
	ln := volttest.NewListener()
	srv := &volt.Server{Handler: h}
	go srv.Serve(ln)
	defer srv.Close()
	c, _ := ln.Dial()
	defer c.Close()
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\n\r\n", method, target, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode)
	for _, h := range []string{"Location", "Allow"} {
		if v := resp.Header.Get(h); v != "" {
			fmt.Printf(" %s: %s", h, v)
		}
	}
	if len(body) > 0 {
		fmt.Printf(" %s", body)
	}
	fmt.Println()
}

func ExampleRouter() {
	r := &router.Router{}
	r.GET("/users/{id}", func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "user %s", router.Param(ctx, "id"))
	})
	r.GET("/users/me", func(ctx *volt.RequestCtx) { ctx.WriteString("it's you") })
	r.GET("/files/{path...}", func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "file %s", router.Param(ctx, "path"))
	})

	get(r.Handler, "GET", "/users/42", "example.com")
	get(r.Handler, "GET", "/users/me", "example.com")
	get(r.Handler, "GET", "/files/css/site.css", "example.com")
	get(r.Handler, "GET", "/users/42/", "example.com")
	get(r.Handler, "DELETE", "/users/42", "example.com")
	// Output:
	// 200 user 42
	// 200 it's you
	// 200 file css/site.css
	// 301 Location: /users/42
	// 405 Allow: GET, HEAD, OPTIONS Method Not Allowed
}

func ExampleRouter_Group() {
	logged := func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			ctx.Response.Header.Set("X-Logged", "yes")
			next(ctx)
		}
	}
	r := &router.Router{}
	api := r.Group("/api/v1", logged)
	api.GET("/orgs/{org}/repos", func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "repos of %s, route %s", router.Param(ctx, "org"), router.Pattern(ctx))
	})
	get(r.Handler, "GET", "/api/v1/orgs/volthttp/repos", "example.com")
	// Output:
	// 200 repos of volthttp, route /api/v1/orgs/{org}/repos
}

func ExampleHosts() {
	site := func(name string) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) { fmt.Fprintf(ctx, "%s for %s", name, ctx.Host()) }
	}
	hosts := &router.Hosts{Default: site("default site")}
	hosts.Handle("api.example.com", site("api"))
	hosts.Handle("*.example.com", site("tenant"))

	get(hosts.Handler, "GET", "/", "api.example.com")
	get(hosts.Handler, "GET", "/", "acme.example.com:8080")
	get(hosts.Handler, "GET", "/", "example.net")
	// Output:
	// 200 api for api.example.com
	// 200 tenant for acme.example.com:8080
	// 200 default site for example.net
}

func ExampleRewriter() {
	r := &router.Router{}
	r.GET("/users/{name}", func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "user %s", router.Param(ctx, "name"))
	})
	rw := &router.Rewriter{Rules: []router.Rule{
		{Prefix: "/blog", To: "/posts", Redirect: volt.StatusMovedPermanently},
		{Regexp: regexp.MustCompile(`^/~(\w+)$`), To: "/users/$1"},
	}}
	h := rw.Wrap(r.Handler)

	get(h, "GET", "/~alice", "example.com")
	get(h, "GET", "/blog/2024/hello?ref=rss", "example.com")
	// Output:
	// 200 user alice
	// 301 Location: /posts/2024/hello?ref=rss
}

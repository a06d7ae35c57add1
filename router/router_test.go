package router

import (
	"strings"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/routeset"
)

func tableRouter() *Router {
	r := &Router{}
	for _, rt := range [][2]string{
		{"GET", "/"},
		{"GET", "/users"},
		{"GET", "/users/"},
		{"GET", "/users/new"},
		{"GET", "/users/{id}"},
		{"PUT", "/users/{uid}"},
		{"GET", "/users/{id}/posts/{post}"},
		{"GET", "/users/new/posts/latest"},
		{"GET", "/users/{id}/files/{path...}"},
		{"GET", "/static/{path...}"},
		{"GET", "/static/app.js"},
		{"POST", "/static/upload"},
		{"GET", "/search"},
		{"GET", "/src/{a}/{b}/{c}"},
		{"GET", "/src/{a}/x/{c}"},
		{"HEAD", "/head-only"},
		{"PROPFIND", "/dav/{path...}"},
		{"GET", "/café"},
		{"GET", "/x/{rest...}"},
		{"GET", "/x/y/z"},
	} {
		r.Handle(rt[0], rt[1], nameHandler(rt[0]+" "+rt[1]))
	}
	return r
}

func TestRoutes(t *testing.T) {
	r := tableRouter()
	cases := []struct {
		method, target string
		status         int
		body           string
	}{
		{"GET", "/", 200, "GET /"},
		{"GET", "/users", 200, "GET /users"},
		{"GET", "/users/", 200, "GET /users/"},
		{"GET", "/users/new", 200, "GET /users/new"},
		{"GET", "/users/42", 200, "GET /users/{id} id=42"},
		{"GET", "/users/newer", 200, "GET /users/{id} id=newer"},
		{"GET", "/users/ne", 200, "GET /users/{id} id=ne"},
		{"PUT", "/users/42", 200, "PUT /users/{uid} uid=42"},
		{"PUT", "/users/new", 200, "PUT /users/{uid} uid=new"}, // no PUT /users/new: the parameter serves it
		{"GET", "/users/42/posts/7", 200, "GET /users/{id}/posts/{post} id=42 post=7"},
		{"GET", "/users/new/posts/latest", 200, "GET /users/new/posts/latest"},
		{"GET", "/users/new/posts/7", 200, "GET /users/{id}/posts/{post} id=new post=7"}, // backtracks from the literal
		{"GET", "/users/42/files/a/b/c.txt", 200, "GET /users/{id}/files/{path...} id=42 path=a/b/c.txt"},
		{"GET", "/users/42/files/", 200, "GET /users/{id}/files/{path...} id=42 path="},
		{"GET", "/static/app.js", 200, "GET /static/app.js"},
		{"GET", "/static/app.json", 200, "GET /static/{path...} path=app.json"},
		{"GET", "/static/", 200, "GET /static/{path...} path="},
		{"GET", "/static/upload", 200, "GET /static/{path...} path=upload"}, // POST-only literal: the catch-all serves GET
		{"POST", "/static/upload", 200, "POST /static/upload"},
		{"GET", "/search?q=x", 200, "GET /search"},
		{"GET", "/src/1/x/3", 200, "GET /src/{a}/x/{c} a=1 c=3"},
		{"GET", "/src/1/y/3", 200, "GET /src/{a}/{b}/{c} a=1 b=y c=3"},
		{"HEAD", "/users/42", 200, "GET /users/{id} id=42"}, // HEAD falls back to GET
		{"HEAD", "/head-only", 200, "HEAD /head-only"},
		{"PROPFIND", "/dav/a/b", 200, "PROPFIND /dav/{path...} path=a/b"},
		{"GET", "/caf%C3%A9", 200, "GET /café"},
		{"GET", "/users/a%2Fb", 200, "GET /users/{id} id=a%2Fb"}, // an encoded slash stays in its segment
		{"GET", "/users/a%20b", 200, "GET /users/{id} id=a b"},
		{"GET", "/x/y/z", 200, "GET /x/y/z"},
		{"GET", "/x/y/w", 200, "GET /x/{rest...} rest=y/w"},
		{"GET", "/x/y", 200, "GET /x/{rest...} rest=y"},

		{"GET", "/nope", 404, "Not Found"},
		{"GET", "/users/42/posts", 404, "Not Found"},
		{"GET", "/src/1/2", 404, "Not Found"},
		{"DELETE", "/users/42", 405, "Method Not Allowed"},
		{"MKCOL", "/users/42", 405, "Method Not Allowed"},
		{"POST", "/head-only", 405, "Method Not Allowed"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			ctx := newCtx(tc.method, tc.target)
			r.Handler(ctx)
			if got := ctx.Response.StatusCode(); got != tc.status {
				t.Errorf("status %d, want %d", got, tc.status)
			}
			if got := string(ctx.Response.Body()); got != tc.body {
				t.Errorf("body %q, want %q", got, tc.body)
			}
		})
	}
}

func TestAllowHeader(t *testing.T) {
	r := tableRouter()
	cases := []struct{ method, target, allow string }{
		{"DELETE", "/users/42", "GET, HEAD, PUT, OPTIONS"},
		{"POST", "/head-only", "HEAD, OPTIONS"},
		{"DELETE", "/static/upload", "GET, HEAD, POST, OPTIONS"}, // literal and catch-all both match the path
		{"GET", "/dav/x", "OPTIONS, PROPFIND"},
	}
	for _, tc := range cases {
		ctx := newCtx(tc.method, tc.target)
		r.Handler(ctx)
		if ctx.Response.StatusCode() != 405 || string(ctx.Response.Header.Peek("Allow")) != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 %q", tc.method, tc.target, ctx.Response.StatusCode(), ctx.Response.Header.Peek("Allow"), tc.allow)
		}
	}
}

func TestOptions(t *testing.T) {
	r := tableRouter()
	ctx := newCtx("OPTIONS", "/users/42")
	r.Handler(ctx)
	if ctx.Response.StatusCode() != 204 || string(ctx.Response.Header.Peek("Allow")) != "GET, HEAD, PUT, OPTIONS" {
		t.Errorf("OPTIONS /users/42: %d Allow %q", ctx.Response.StatusCode(), ctx.Response.Header.Peek("Allow"))
	}
	ctx = newCtx("OPTIONS", "*")
	r.Handler(ctx)
	if ctx.Response.StatusCode() != 204 || string(ctx.Response.Header.Peek("Allow")) != "GET, HEAD, POST, PUT, OPTIONS, PROPFIND" {
		t.Errorf("OPTIONS *: %d Allow %q", ctx.Response.StatusCode(), ctx.Response.Header.Peek("Allow"))
	}
	ctx = newCtx("OPTIONS", "/nope")
	r.Handler(ctx)
	if ctx.Response.StatusCode() != 404 {
		t.Errorf("OPTIONS /nope: %d", ctx.Response.StatusCode())
	}

	// A custom Options handler, and an explicit OPTIONS route.
	r.Options = func(ctx *volt.RequestCtx) { ctx.SetStatusCode(200); ctx.WriteString("custom") }
	r.OPTIONS("/opt", nameHandler("OPTIONS /opt"))
	ctx = newCtx("OPTIONS", "/users/42")
	r.Handler(ctx)
	if string(ctx.Response.Body()) != "custom" || len(ctx.Response.Header.Peek("Allow")) == 0 {
		t.Errorf("custom Options: %q Allow %q", ctx.Response.Body(), ctx.Response.Header.Peek("Allow"))
	}
	ctx = newCtx("OPTIONS", "/opt")
	r.Handler(ctx)
	if string(ctx.Response.Body()) != "OPTIONS /opt" {
		t.Errorf("OPTIONS route: %q", ctx.Response.Body())
	}
}

func TestCustomNotFoundAndMethodNotAllowed(t *testing.T) {
	r := tableRouter()
	r.NotFound = func(ctx *volt.RequestCtx) { ctx.Error("no such page", 404) }
	r.MethodNotAllowed = func(ctx *volt.RequestCtx) { ctx.Error("nope", 405) }
	ctx := newCtx("GET", "/nope")
	r.Handler(ctx)
	if string(ctx.Response.Body()) != "no such page" {
		t.Errorf("NotFound: %q", ctx.Response.Body())
	}
	ctx = newCtx("DELETE", "/users/1")
	r.Handler(ctx)
	if string(ctx.Response.Body()) != "nope" || string(ctx.Response.Header.Peek("Allow")) != "GET, HEAD, PUT, OPTIONS" {
		t.Errorf("MethodNotAllowed: %q Allow %q (ctx.Error must not lose Allow)", ctx.Response.Body(), ctx.Response.Header.Peek("Allow"))
	}
}

func TestConflicts(t *testing.T) {
	h := nameHandler("")
	cases := []struct {
		name   string
		routes [][2]string
		reason string
	}{
		{"twice", [][2]string{{"GET", "/a"}, {"GET", "/a"}}, "registered twice"},
		{"same shape", [][2]string{{"GET", "/users/{id}"}, {"GET", "/users/{name}"}}, "conflicts with GET /users/{id}"},
		{"same catch-all", [][2]string{{"GET", "/s/{a...}"}, {"GET", "/s/{b...}"}}, "conflicts with GET /s/{a...}"},
		{"no slash", [][2]string{{"GET", "users"}}, "must start with '/'"},
		{"empty", [][2]string{{"GET", ""}}, "must start with '/'"},
		{"partial segment", [][2]string{{"GET", "/files/{name}.txt"}}, "whole segment"},
		{"brace", [][2]string{{"GET", "/a{"}}, "whole segment"},
		{"empty name", [][2]string{{"GET", "/a/{}"}}, "must be non-empty"},
		{"bad name", [][2]string{{"GET", "/a/{a-b}"}}, "must be non-empty"},
		{"duplicate name", [][2]string{{"GET", "/a/{x}/{x}"}}, "appears twice"},
		{"catch-all not last", [][2]string{{"GET", "/a/{x...}/b"}}, "must be the last"},
		{"double slash", [][2]string{{"GET", "/a//b"}}, "empty segment"},
		{"dot", [][2]string{{"GET", "/a/../b"}}, "dot segment"},
		{"bad method", [][2]string{{"GE T", "/a"}}, "not an HTTP token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &Router{}
			last := len(tc.routes) - 1
			for _, rt := range tc.routes[:last] {
				r.Handle(rt[0], rt[1], h)
			}
			err := mustPanic(t, func() { r.Handle(tc.routes[last][0], tc.routes[last][1], h) })
			if !strings.Contains(err.Error(), tc.reason) || !strings.HasPrefix(err.Error(), "router: ") {
				t.Errorf("panic %q, want it to contain %q", err, tc.reason)
			}
		})
	}
	// Not conflicts: different methods, names, or specificity.
	r := &Router{}
	r.GET("/users/{id}", h)
	r.PUT("/users/{uid}", h)
	r.GET("/users/new", h)
	r.GET("/users/{id}/x", h)
	r.GET("/users/{p...}", h)
	r.GET("/users/{name}/y", h)
	if err := mustPanic(t, func() { r.GET("/users/new", nil) }); !strings.Contains(err.Reason, "nil handler") {
		t.Errorf("nil handler: %v", err)
	}
}

func TestGitHubRoutes(t *testing.T) {
	routes := routeset.GitHub()
	if len(routes) != 203 {
		t.Fatalf("%d routes, want 203", len(routes))
	}
	r := &Router{}
	for _, rt := range routes {
		r.Handle(rt.Method, rt.Pattern, nameHandler(rt.Pattern))
	}
	for _, rt := range routes {
		ctx := newCtx(rt.Method, rt.Path)
		r.Handler(ctx)
		want := rt.Pattern
		for _, p := range rt.Params {
			want += " " + p[0] + "=" + p[1]
		}
		if got := string(ctx.Response.Body()); got != want || Pattern(ctx) != rt.Pattern {
			t.Errorf("%s %s: %q (pattern %q), want %q", rt.Method, rt.Path, got, Pattern(ctx), want)
		}
		if h, p := r.Lookup(rt.Method, rt.Path); h == nil || p != rt.Pattern {
			t.Errorf("Lookup(%s %s) = %q", rt.Method, rt.Path, p)
		}
	}
}

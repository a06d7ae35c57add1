//go:build !race

package router

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/volthttp/volt"
)

// TestRouterAllocs checks that routing allocates nothing once warm: every
// request of the GitHub API route set, with its parameters read back, and
// the answers without a route (404, 405, OPTIONS, redirects).
func TestRouterAllocs(t *testing.T) {
	r, routes := githubRouter(t)
	tableR := tableRouter()
	for _, rt := range routes {
		ctx := newCtx(rt.Method, rt.Path)
		params := rt.Params
		n := testing.AllocsPerRun(100, func() {
			ctx.Response.Reset()
			r.Handler(ctx)
			for _, p := range params {
				if string(Param(ctx, p[0])) != p[1] {
					t.Fatalf("%s: param %s = %q", rt.Path, p[0], Param(ctx, p[0]))
				}
			}
		})
		if n != 0 {
			t.Errorf("%s %s: %v allocs per request, want 0", rt.Method, rt.Path, n)
		}
	}
	for _, tc := range []struct{ method, target string }{
		{"GET", "/nope"},
		{"DELETE", "/users/42"},
		{"OPTIONS", "/users/42"},
		{"GET", "/users/42/files"},
		{"GET", "/users//42?a=b"},
	} {
		ctx := newCtx(tc.method, tc.target)
		n := testing.AllocsPerRun(100, func() {
			ctx.Response.Reset()
			tableR.Handler(ctx)
		})
		if n != 0 {
			t.Errorf("%s %s: %v allocs per request, want 0", tc.method, tc.target, n)
		}
	}
	// A catch-all (the GitHub set has none) and backtracking.
	cr := &Router{}
	cr.GET("/static/{path...}", func(ctx *volt.RequestCtx) {})
	cr.GET("/static/a/{x}/c", func(ctx *volt.RequestCtx) {})
	ctx := newCtx("GET", "/static/a/b/d/e")
	n := testing.AllocsPerRun(100, func() {
		cr.Handler(ctx)
		if string(Param(ctx, "path")) != "a/b/d/e" {
			t.Fatalf("path = %q", Param(ctx, "path"))
		}
	})
	if n != 0 {
		t.Errorf("catch-all: %v allocs per request, want 0", n)
	}
}

// TestServeRoutedAllocs serves keep-alive requests to a route with
// parameters through a volt.Server: the Params go back to their pool when
// the RequestCtx is reset, and a request costs no allocation.
func TestServeRoutedAllocs(t *testing.T) {
	r := &Router{}
	r.GET("/repos/{owner}/{repo}/pulls/{number}", func(ctx *volt.RequestCtx) {
		ctx.Write(Param(ctx, "number"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: r.Handler}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /repos/volthttp/volt/pulls/12345 HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 4096)
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	n, err := c.Read(buf)
	if err != nil || !bytes.HasSuffix(buf[:n], []byte("\r\n\r\n12345")) {
		t.Fatalf("response %q %v", buf[:n], err)
	}
	respLen := n
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:respLen]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		roundTrip()
	}
	if allocs := testing.AllocsPerRun(1000, roundTrip); allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
}

package router

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

func TestParams(t *testing.T) {
	r := &Router{}
	r.GET("/a/{x}/b/{y}/{rest...}", func(ctx *volt.RequestCtx) {
		p := ParamsOf(ctx)
		if p.Len() != 3 || p.Name(0) != "x" || string(p.Value(1)) != "2" || p.Pattern() != "/a/{x}/b/{y}/{rest...}" {
			t.Errorf("params %d %q %q %q", p.Len(), p.Name(0), p.Value(1), p.Pattern())
		}
		if Param(ctx, "nope") != nil || Param(ctx, "rest") == nil || len(Param(ctx, "rest")) != 0 {
			t.Errorf("Param: nope %q rest %q", Param(ctx, "nope"), Param(ctx, "rest"))
		}
		if Pattern(ctx) != p.Pattern() {
			t.Error("Pattern")
		}
	})
	r.GET("/static", func(ctx *volt.RequestCtx) {
		if ParamsOf(ctx) != nil || Param(ctx, "x") != nil || Pattern(ctx) != "/static" {
			t.Errorf("static route: %v %q", ParamsOf(ctx), Pattern(ctx))
		}
	})
	r.Handler(newCtx("GET", "/a/1/b/2/"))
	r.Handler(newCtx("GET", "/static"))
	if ctx := newCtx("GET", "/none"); Pattern(ctx) != "" || ParamsOf(ctx) != nil {
		t.Error("no route: Pattern or Params set")
	}

	// Close is idempotent: a second call must not put p in the pool twice.
	p := paramsPool.Get().(*Params)
	p.closed = false
	p.Close()
	p.Close()
	a, b := paramsPool.Get().(*Params), paramsPool.Get().(*Params)
	if a == b {
		t.Error("a Params was pooled twice")
	}
}

// TestParamsServed checks parameters over a connection: pipelined and
// keep-alive requests each see their own values, the Params going back to
// the pool between them.
func TestParamsServed(t *testing.T) {
	r := &Router{}
	r.GET("/users/{id}/posts/{post}", func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "%s/%s", Param(ctx, "id"), Param(ctx, "post"))
	})
	r.GET("/plain", func(ctx *volt.RequestCtx) { fmt.Fprintf(ctx, "plain %q", Param(ctx, "id")) })
	ln := volttest.NewListener()
	srv := &volt.Server{Handler: r.Handler}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var reqs string
	var want []string
	for i := 0; i < 20; i++ {
		if i%3 == 2 {
			reqs += "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"
			want = append(want, `plain ""`)
			continue
		}
		reqs += fmt.Sprintf("GET /users/u%d/posts/p%d HTTP/1.1\r\nHost: x\r\n\r\n", i, i*i)
		want = append(want, fmt.Sprintf("u%d/p%d", i, i*i))
	}
	go io.WriteString(c, reqs)
	br := bufio.NewReader(c)
	for _, w := range want {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != w {
			t.Fatalf("got %q, want %q", body, w)
		}
	}
}

package router

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

// newCtx returns a RequestCtx for method and target, as the server would
// hand it to a handler (without a connection).
func newCtx(method, target string) *volt.RequestCtx {
	ctx := new(volt.RequestCtx)
	ctx.Request.Header.SetMethod(method)
	ctx.Request.Header.SetHost("example.com")
	ctx.Request.SetRequestURI(target)
	return ctx
}

// ghRoute is one route of testdata/github-api.txt with a request path
// that matches it: each parameter replaced by a value derived from its
// name.
type ghRoute struct {
	method, pattern, path string
	params                [][2]string
}

func githubRoutes(t testing.TB) []ghRoute {
	t.Helper()
	f, err := os.Open("testdata/github-api.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ghRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		method, pattern, _ := strings.Cut(line, " ")
		rt := ghRoute{method: method, pattern: pattern}
		var p strings.Builder
		for _, seg := range strings.Split(pattern, "/")[1:] {
			p.WriteByte('/')
			if strings.HasPrefix(seg, "{") {
				name := strings.Trim(seg, "{}")
				val := "v-" + name
				rt.params = append(rt.params, [2]string{name, val})
				p.WriteString(val)
			} else {
				p.WriteString(seg)
			}
		}
		rt.path = p.String()
		out = append(out, rt)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// githubRouter registers every GitHub route with a handler that writes
// its pattern.
func githubRouter(t testing.TB) (*Router, []ghRoute) {
	routes := githubRoutes(t)
	r := &Router{}
	for _, rt := range routes {
		pattern := rt.pattern
		r.Handle(rt.method, rt.pattern, func(ctx *volt.RequestCtx) { ctx.SetStatusCode(200 + len(pattern)%2) })
	}
	return r, routes
}

// nameHandler answers with its name, then the route parameters.
func nameHandler(name string) volt.RequestHandler {
	return func(ctx *volt.RequestCtx) {
		ctx.WriteString(name)
		if p := ParamsOf(ctx); p != nil {
			for k, v := range p.All() {
				ctx.WriteString(" " + k + "=" + string(v))
			}
		}
	}
}

// mustPanic runs f and returns the *PatternError it panics with.
func mustPanic(t *testing.T, f func()) (err *PatternError) {
	t.Helper()
	defer func() {
		v := recover()
		if v == nil {
			t.Fatal("no panic")
		}
		pe, ok := v.(*PatternError)
		if !ok {
			t.Fatalf("panic %T %v, want *PatternError", v, v)
		}
		err = pe
	}()
	f()
	return nil
}

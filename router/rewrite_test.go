package router

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

func TestRewriter(t *testing.T) {
	rules := []Rule{
		{Prefix: "/old", To: "/new"},
		{Prefix: "/blog/", To: "/posts/", Redirect: 301},
		{Regexp: regexp.MustCompile(`^/u/(?P<name>\w+)$`), To: "/users/${name}"},
		{Regexp: regexp.MustCompile(`^/q/(\w+)$`), To: "/search?q=$1"},
		{Regexp: regexp.MustCompile(`(?s)^/ext/(.*)$`), To: "https://example.org/$1", Redirect: 302},
		{Prefix: "/a", To: "/b"},
		{Prefix: "/b", To: "/c"},
		{Prefix: "/stop", To: "/old", Last: true},
		{Prefix: "/ping", To: "/pong"},
		{Prefix: "/pong", To: "/ping"},
		{Prefix: "/keep", To: "/keep"},
		{Prefix: "/moved", To: "/caf\u00e9 menu", Redirect: 308},
	}
	cases := []struct {
		target      string
		status      int
		path, query string // seen by the next handler
		location    string
	}{
		{"/old", 200, "/new", "", ""},
		{"/old/x?y=1", 200, "/new/x", "y=1", ""},
		{"/older", 200, "/older", "", ""},
		{"/blog/2024/hello?ref=rss", 301, "", "", "/posts/2024/hello?ref=rss"},
		{"/u/alice", 200, "/users/alice", "", ""},
		{"/u/alice/x", 200, "/u/alice/x", "", ""},
		{"/q/volt?page=2", 200, "/search", "q=volt", ""},
		{"/ext/a/b?c=d", 302, "", "", "https://example.org/a/b?c=d"},
		{"/a/x", 200, "/c/x", "", ""},       // rewritten twice, by rules tried again
		{"/stop/x", 200, "/old/x", "", ""},  // Last: not rewritten again to /new
		{"/ping", 500, "", "", ""},          // the loop guard
		{"/keep/z", 200, "/keep/z", "", ""}, // no change: a fixed point, not a loop
		{"/moved?x", 308, "", "", "/caf%C3%A9%20menu?x"},
		{"/elsewhere", 200, "/elsewhere", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			var log bytes.Buffer
			rw := &Rewriter{Rules: rules, Logger: slog.New(slog.NewTextHandler(&log, nil))}
			var path, query string
			h := rw.Wrap(func(ctx *volt.RequestCtx) {
				path, query = string(ctx.Path()), string(ctx.URI().QueryString())
			})
			ctx := newCtx("GET", tc.target)
			h(ctx)
			if ctx.Response.StatusCode() != tc.status || path != tc.path || query != tc.query {
				t.Errorf("got %d path %q query %q, want %d %q %q", ctx.Response.StatusCode(), path, query, tc.status, tc.path, tc.query)
			}
			if got := string(ctx.Response.Header.Peek("Location")); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			if tc.status == 500 && !strings.Contains(log.String(), "router: rewrite loop") {
				t.Errorf("loop not logged: %q", log.String())
			}
		})
	}
}

func TestRewriterRoutes(t *testing.T) {
	// A rewrite in front of a router: the router routes the new path.
	r := tableRouter()
	rw := &Rewriter{Rules: []Rule{{Regexp: regexp.MustCompile(`^/people/(\d+)$`), To: "/users/$1"}}}
	ctx := newCtx("GET", "/people/7")
	rw.Wrap(r.Handler)(ctx)
	if got := string(ctx.Response.Body()); got != "GET /users/{id} id=7" {
		t.Errorf("got %q", got)
	}
}

func TestRewriterInvalidRules(t *testing.T) {
	for _, r := range []Rule{
		{},
		{Prefix: "/a", Regexp: regexp.MustCompile("a")},
		{Prefix: "a"},
		{Prefix: "/a", Redirect: 200},
	} {
		rw := &Rewriter{Rules: []Rule{r}}
		mustPanic(t, func() { rw.Wrap(func(*volt.RequestCtx) {}) })
	}
}

// TestRewriterLocationIsSafe checks that a redirect rule's Location never
// holds CR, LF or another byte that would split the response, that a '?'
// decoded from the path stays in the path, and that a path-only To never
// yields a Location naming another host.
func TestRewriterLocationIsSafe(t *testing.T) {
	rules := []Rule{
		{Prefix: "/old", To: "/", Redirect: 301},
		{Prefix: "/r", To: "/new", Redirect: 302},
		{Prefix: "/p", To: "/new?from=p", Redirect: 302},
		{Regexp: regexp.MustCompile(`(?s)^/ext/(.*)$`), To: "https://example.org/$1", Redirect: 302},
		{Regexp: regexp.MustCompile(`^/host/([^/]*)$`), To: "https://$1.example.org/", Redirect: 302},
		{Regexp: regexp.MustCompile(`(?s)^/q/(.*)$`), To: "/search?q=$1", Redirect: 302},
		{Regexp: regexp.MustCompile(`^/rel/(.*)$`), To: "$1", Redirect: 302},
		{Regexp: regexp.MustCompile(`^/any(.*)$`), To: "$1", Redirect: 302},
	}
	cases := []struct{ target, location string }{
		{"/old/evil.example", "/evil.example"},
		{"/old//evil.example", "/evil.example"},
		{"/old/%5Cevil.example", "/%5Cevil.example"},
		{"/r/a%3Fb", "/new/a%3Fb"},
		{"/r/a%0d%0aSet-Cookie:%20x=1", "/new/a%0D%0ASet-Cookie:%20x=1"},
		{"/r/a%0d%0aSet-Cookie:%20x=1?k=v", "/new/a%0D%0ASet-Cookie:%20x=1?k=v"},
		{"/p/a%3Fb", "/new/a%3Fb?from=p"},
		{"/ext/a%3Fb%23c%0d%0aX:%20y", "https://example.org/a%3Fb%23c%0D%0AX:%20y"},
		{"/host/a%0d%0aX:%20y%2fz", "https://a%0D%0AX:%20y%2Fz.example.org/"},
		{"/q/a%23b%0d%0aX:%20y", "/search?q=a%23b%0D%0AX:%20y"},
		{"/rel/javascript:alert(1)", "javascript%3Aalert(1)"},
		{"/rel/a/b:c", "a/b:c"},
		{"/any//evil.example", "/evil.example"},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			rw := &Rewriter{Rules: rules}
			h := rw.Wrap(func(ctx *volt.RequestCtx) { t.Error("next handler ran") })
			ctx := newCtx("GET", tc.target)
			h(ctx)
			loc := string(ctx.Response.Header.Peek("Location"))
			if loc != tc.location {
				t.Errorf("Location %q, want %q", loc, tc.location)
			}
			if strings.ContainsAny(loc, "\r\n\x00 \\") || strings.HasPrefix(loc, "//") {
				t.Errorf("unsafe Location %q", loc)
			}
		})
	}
}

// TestRewriterQuestionMarkStaysInPath checks that an internal rewrite
// keeps a '?' decoded from the path in the path.
func TestRewriterQuestionMarkStaysInPath(t *testing.T) {
	rw := &Rewriter{Rules: []Rule{{Prefix: "/old", To: "/new"}}}
	var path, query string
	h := rw.Wrap(func(ctx *volt.RequestCtx) { path, query = string(ctx.Path()), string(ctx.URI().QueryString()) })
	h(newCtx("GET", "/old/a%3Fb=c?x=1"))
	if path != "/new/a?b=c" || query != "x=1" {
		t.Errorf("path %q query %q", path, query)
	}
}

package router

import (
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

// FuzzRouter registers the static paths of the input (one per line, those
// that are valid patterns) next to routes with parameters and catch-alls,
// then checks that:
//   - every registered static path is found, with its own pattern (a
//     literal beats a parameter);
//   - routing any line, and the whole input, never panics, through
//     Lookup and through Handler (redirects, 404, 405 included);
//   - whatever route matches a path gives it back when its parameter
//     values are put into its pattern.
func FuzzRouter(f *testing.F) {
	for _, s := range []string{
		"/users/new\n/users/42\n/users/new/posts/7",
		"/static/app.js\n/static/\n/static",
		"/a//b\n/./x\n/%2e%2e/y",
		"/\n/users/\n/users",
		"/café\n/caf%C3%A9\n/x/y/z",
		"/src/1/x/3\n/src/1/y\n*",
		"/repos/a/b/pulls/1/commits\n/user/keys/9",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		r := &Router{}
		base := [][2]string{
			{"GET", "/users/{id}"},
			{"GET", "/users/{id}/posts/{post}"},
			{"PUT", "/users/{id}"},
			{"GET", "/static/{path...}"},
			{"GET", "/src/{a}/{b}/{c}"},
			{"GET", "/{first}"},
			{"POST", "/{first}/{rest...}"},
			{"GET", "/repos/{owner}/{repo}/pulls/{number}/commits"},
		}
		for _, rt := range base {
			r.Handle(rt[0], rt[1], func(*volt.RequestCtx) {})
		}
		lines := strings.Split(input, "\n")
		var static []string
		seen := map[string]bool{}
		for _, p := range lines {
			if seen[p] || strings.ContainsAny(p, "{}") {
				continue
			}
			if _, _, reason := parsePattern(p); reason != "" {
				continue
			}
			seen[p] = true
			r.GET(p, func(*volt.RequestCtx) {})
			static = append(static, p)
		}
		for _, p := range static {
			if _, pattern := r.Lookup("GET", p); pattern != p {
				t.Fatalf("registered %q, Lookup found %q", p, pattern)
			}
		}
		for _, p := range append(lines, input) {
			for _, m := range []string{"GET", "POST", "DELETE", "OPTIONS"} {
				checkRoundTrip(t, r, m, p)
				ctx := newCtx(m, "/")
				ctx.URI().SetPath(p)
				r.Handler(ctx)
			}
		}
	})
}

// checkRoundTrip looks path up and checks that the matched pattern with
// its parameter values put back gives path.
func checkRoundTrip(t *testing.T, r *Router, method, path string) {
	b := []byte(path)
	l := newLookup(r.methodID([]byte(method)), b)
	rt := r.root.find(b, &l)
	if rt == nil {
		return
	}
	if l.n != len(rt.names) {
		t.Fatalf("%s %q: %d values for %s", method, path, l.n, rt.pattern)
	}
	var got strings.Builder
	toks, _, _ := parsePattern(rt.pattern)
	i := 0
	for _, tok := range toks {
		if tok.kind == tokStatic {
			got.WriteString(tok.text)
			continue
		}
		v := b[l.values[i][0]:l.values[i][1]]
		if tok.kind == tokParam && (len(v) == 0 || strings.Contains(string(v), "/")) {
			t.Fatalf("%s %q: parameter %s = %q for %s", method, path, tok.text, v, rt.pattern)
		}
		got.Write(v)
		i++
	}
	if got.String() != path {
		t.Fatalf("%s %q matched %s, which gives back %q", method, path, rt.pattern, got.String())
	}
}

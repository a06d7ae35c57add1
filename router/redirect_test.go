package router

import (
	"testing"

	"github.com/volthttp/volt"
)

func TestRedirects(t *testing.T) {
	cases := []struct {
		name           string
		slash, clean   RedirectPolicy
		method, target string
		status         int
		location       string
	}{
		{"add slash GET", 0, 0, "GET", "/users/42/files", 301, "/users/42/files/"},
		{"remove slash GET", 0, 0, "GET", "/users/42/", 301, "/users/42"},
		{"remove slash PUT", 0, 0, "PUT", "/users/42/", 308, "/users/42"},
		{"keeps query", 0, 0, "GET", "/search/?q=a+b&x=%26", 301, "/search?q=a+b&x=%26"},
		{"temporary GET", RedirectTemporary, 0, "GET", "/search/", 302, "/search"},
		{"temporary POST", RedirectTemporary, 0, "POST", "/static/upload/", 307, "/static/upload"},
		{"no route either way", 0, 0, "GET", "/nope/", 404, ""},
		{"other method only", 0, 0, "DELETE", "/users/42/", 404, ""},
		{"slash off", RedirectOff, 0, "GET", "/search/", 404, ""},
		{"root never loses its slash", 0, 0, "GET", "/", 200, ""},

		{"clean double slash", 0, 0, "GET", "/users//42", 301, "/users/42"},
		{"clean dot", 0, 0, "GET", "/users/./42?a=1", 301, "/users/42?a=1"},
		{"clean dotdot", 0, 0, "PUT", "/static/../users/42", 308, "/users/42"},
		{"clean encoded dot", 0, 0, "GET", "/users/%2e%2E/search", 301, "/search"},
		{"clean escapes Location", 0, 0, "GET", "/users//a%20b%3F%2F", 301, "/users/a%20b%3F%2F"},
		{"decoded escape is not unclean", 0, 0, "GET", "/users/%41", 200, ""},
		{"clean temporary", 0, RedirectTemporary, "GET", "/users//42", 302, "/users/42"},
		{"clean off serves", 0, RedirectOff, "GET", "/users//42", 200, ""},
		{"clean but no route", 0, 0, "GET", "/nope//x", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tableRouter()
			r.TrailingSlash, r.CleanPath = tc.slash, tc.clean
			ctx := newCtx(tc.method, tc.target)
			r.Handler(ctx)
			if got := ctx.Response.StatusCode(); got != tc.status {
				t.Errorf("status %d, want %d (body %q)", got, tc.status, ctx.Response.Body())
			}
			if got := string(ctx.Response.Header.Peek("Location")); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
		})
	}
}

func TestRedirectsRawPath(t *testing.T) {
	r := tableRouter()
	ctx := newCtx("GET", "/users//a%20b/./posts/7")
	ctx.URI().DisablePathNormalization = true
	r.Handler(ctx)
	if ctx.Response.StatusCode() != 301 || string(ctx.Response.Header.Peek("Location")) != "/users/a%20b/posts/7" {
		t.Errorf("got %d %q", ctx.Response.StatusCode(), ctx.Response.Header.Peek("Location"))
	}
}

func TestCleanPathHelpers(t *testing.T) {
	for _, tc := range []struct {
		in      string
		clean   bool
		cleaned string
	}{
		{"/", true, "/"},
		{"/a/b", true, "/a/b"},
		{"/a/b/", true, "/a/b/"},
		{"/a//b", false, "/a/b"},
		{"//a", false, "/a"},
		{"/a/./b", false, "/a/b"},
		{"/a/../b", false, "/b"},
		{"/a/b/..", false, "/a/"},
		{"/a/.", false, "/a/"},
		{"/..", false, "/"},
		{"/../../x", false, "/x"},
		{"/a/...", true, "/a/..."},
		{"/a/.b", true, "/a/.b"},
		{"/a//", false, "/a/"},
	} {
		if got := isCleanPath([]byte(tc.in), false); got != tc.clean {
			t.Errorf("isCleanPath(%q) = %v", tc.in, got)
		}
		if got := string(appendCleanPath(nil, []byte(tc.in))); got != tc.cleaned {
			t.Errorf("appendCleanPath(%q) = %q, want %q", tc.in, got, tc.cleaned)
		}
	}
	for _, s := range []string{"/%2e/a", "/a/%2E%2e", "/a/.%2e/b", "/a/%2e"} {
		if isCleanPath([]byte(s), true) {
			t.Errorf("isCleanPath(%q, encoded) = true", s)
		}
	}
	if !isCleanPath([]byte("/a/%2e%2e%2e"), true) || !isCleanPath([]byte("/%2ex"), true) {
		t.Error("isCleanPath: dots with more in the segment are not dot segments")
	}
}

// TestRedirectNeverOffHost: a Location never starts with "//", which
// would name another host.
func TestRedirectNeverOffHost(t *testing.T) {
	ctx := newCtx("GET", "/x?q=1")
	redirect(ctx, []byte("//evil.example/a"), false, 301)
	if got := string(ctx.Response.Header.Peek("Location")); got != "/evil.example/a?q=1" {
		t.Errorf("Location %q", got)
	}
}

// TestRedirectLocationIsEscaped checks that the trailing-slash and
// clean-path redirects escape what a Location cannot hold, for decoded
// and raw paths and for a query set by an earlier handler, and never
// start with "//" or "/\".
func TestRedirectLocationIsEscaped(t *testing.T) {
	r := &Router{}
	r.GET("/dir/{name}/", func(ctx *volt.RequestCtx) {})
	cases := []struct {
		name, target string
		raw          bool
		query        string
		location     string
	}{
		{"decoded CRLF", "/dir/a%0d%0aSet-Cookie:%20x=1", false, "", "/dir/a%0D%0ASet-Cookie:%20x=1/"},
		{"decoded question mark", "/dir/a%3Fb", false, "", "/dir/a%3Fb/"},
		{"raw backslash", "/dir/%5Cevil", true, "", "/dir/%5Cevil/"},
		{"query set by a handler", "/dir/a", false, "q=1\r\nSet-Cookie: x#y", "/dir/a/?q=1%0D%0ASet-Cookie:%20x%23y"},
		{"raw double slash", "//dir/x/./", true, "", "/dir/x/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newCtx("GET", tc.target)
			ctx.URI().DisablePathNormalization = tc.raw
			if tc.query != "" {
				ctx.URI().SetQueryString(tc.query)
			}
			r.Handler(ctx)
			loc := string(ctx.Response.Header.Peek("Location"))
			if loc != tc.location {
				t.Errorf("%d Location %q, want %q", ctx.Response.StatusCode(), loc, tc.location)
			}
		})
	}
	// redirect itself, with a raw path holding bytes the parser would
	// have refused.
	ctx := newCtx("GET", "/x")
	redirect(ctx, []byte("/\\evil.example/\r\n"), false, 301)
	if got := string(ctx.Response.Header.Peek("Location")); got != "/%5Cevil.example/%0D%0A" {
		t.Errorf("Location %q", got)
	}
}

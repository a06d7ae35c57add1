package middleware

import (
	"regexp"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

func TestRequestID(t *testing.T) {
	var seen string
	h := RequestID(RequestIDConfig{})(func(ctx *volt.RequestCtx) {
		seen = string(RequestIDOf(ctx))
		if string(ctx.Path()) == "/error" {
			ctx.Response.Reset() // as Recover and Timeout do
			ctx.Error("bad", 400)
		}
	})
	generated := regexp.MustCompile(`^[0-9a-f]{16}-[0-9a-f]{16}$`)
	cases := []struct {
		name, in string
		keep     bool
	}{
		{"passed through", "abc-123_XYZ.42", true},
		{"missing", "", false},
		{"too long", strings.Repeat("a", 129), false},
		{"control byte", "abc\x01", false},
		{"non-ASCII", "caf\xc3\xa9", false},
	}
	ids := map[string]bool{}
	for _, tc := range cases {
		for _, path := range []string{"/", "/error"} {
			var hdr []string
			if tc.in != "" {
				hdr = []string{"X-Request-ID", tc.in}
			}
			ctx := newCtx("GET", path, hdr...)
			h(ctx)
			resp := string(ctx.Response.Header.Peek("X-Request-ID"))
			if resp != seen || string(ctx.Request.Header.Peek("X-Request-ID")) != seen {
				t.Errorf("%s %s: response %q, handler %q, request %q", tc.name, path, resp, seen, ctx.Request.Header.Peek("X-Request-ID"))
			}
			if tc.keep && seen != tc.in {
				t.Errorf("%s: %q not passed through (%q)", tc.name, tc.in, seen)
			}
			if !tc.keep {
				if !generated.MatchString(seen) || ids[seen] {
					t.Errorf("%s: generated %q (repeated: %v)", tc.name, seen, ids[seen])
				}
				ids[seen] = true
			}
		}
	}
	if RequestIDOf(newCtx("GET", "/")) != nil {
		t.Error("RequestIDOf without the middleware")
	}

	h = RequestID(RequestIDConfig{Header: "X-Trace", Generate: func(dst []byte) []byte { return append(dst, "fixed"...) }})(ok)
	ctx := newCtx("GET", "/")
	h(ctx)
	if string(ctx.Response.Header.Peek("X-Trace")) != "fixed" || RequestIDOf(ctx) == nil {
		t.Errorf("custom header and generator: %q", ctx.Response.Header.Peek("X-Trace"))
	}
}

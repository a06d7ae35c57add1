package router

import (
	"strings"
	"testing"
)

func TestHosts(t *testing.T) {
	h := &Hosts{Default: nameHandler("default")}
	h.Handle("example.com", nameHandler("example.com"))
	h.Handle("Example.com:8080", nameHandler("example.com:8080"))
	h.Handle("*.example.com", nameHandler("*.example.com"))
	h.Handle("*.api.example.com", nameHandler("*.api.example.com"))
	h.Handle("*.example.com:9000", nameHandler("*.example.com:9000"))
	h.Handle("[::1]", nameHandler("[::1]"))
	cases := []struct{ host, want string }{
		{"example.com", "example.com"},
		{"EXAMPLE.COM", "example.com"},
		{"example.com.", "example.com"},
		{"example.com:443", "example.com"},
		{"example.com:8080", "example.com:8080"},
		{"example.com.:8080", "example.com:8080"},
		{"www.example.com", "*.example.com"},
		{"a.b.example.com", "*.example.com"},
		{"v1.api.example.com", "*.api.example.com"},
		{"api.example.com", "*.example.com"},
		{"www.example.com:9000", "*.example.com:9000"},
		{"www.example.com:9001", "*.example.com"},
		{"notexample.com", "default"},
		{"example.org", "default"},
		{"[::1]:8080", "[::1]"},
		{"", "default"},
	}
	for _, tc := range cases {
		ctx := newCtx("GET", "/")
		ctx.Request.Header.SetHost(tc.host)
		ctx.Request.SetRequestURI("/") // parse again with the new host
		h.Handler(ctx)
		if got := string(ctx.Response.Body()); got != tc.want {
			t.Errorf("host %q: served by %q, want %q", tc.host, got, tc.want)
		}
	}

	// Without Default: 404. An absolute-form target's authority wins over
	// the Host header.
	h2 := &Hosts{}
	h2.Handle("a.test", nameHandler("a"))
	ctx := newCtx("GET", "http://a.test/x")
	h2.Handler(ctx)
	if string(ctx.Response.Body()) != "a" {
		t.Errorf("absolute-form: %q", ctx.Response.Body())
	}
	ctx = newCtx("GET", "/")
	h2.Handler(ctx)
	if ctx.Response.StatusCode() != 404 {
		t.Errorf("no Default: %d", ctx.Response.StatusCode())
	}
}

func TestHostsPatternErrors(t *testing.T) {
	for _, tc := range []struct{ pattern, reason string }{
		{"", "host name"},
		{"a/b", "host name"},
		{"a.*.com", "host name"},
		{"*example.com", "whole label"},
		{"*.", "whole label"}, {"*..", "needs a domain"},
	} {
		h := &Hosts{}
		err := mustPanic(t, func() { h.Handle(tc.pattern, nameHandler("")) })
		if !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%q: %v", tc.pattern, err)
		}
	}
	h := &Hosts{}
	h.Handle("a.com", nameHandler(""))
	h.Handle("*.a.com", nameHandler(""))
	if err := mustPanic(t, func() { h.Handle("A.com", nameHandler("")) }); !strings.Contains(err.Reason, "twice") {
		t.Error(err)
	}
	if err := mustPanic(t, func() { h.Handle("*.a.com", nameHandler("")) }); !strings.Contains(err.Reason, "twice") {
		t.Error(err)
	}
}

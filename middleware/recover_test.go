package middleware

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

func TestRecover(t *testing.T) {
	var log bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	h := Recover(RecoverConfig{Logger: logger})(func(ctx *volt.RequestCtx) {
		ctx.Response.Header.Set("X-Partial", "1")
		ctx.WriteString("half")
		panic("boom")
	})
	addr := serveTCP(t, h)
	c := dialFrom(t, addr, "127.0.0.1")
	for i := 0; i < 2; i++ { // the connection stays usable
		resp, body := c.do("GET", "/x")
		if resp.StatusCode != 500 || body != "Internal Server Error" || resp.Header.Get("X-Partial") != "" {
			t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
		}
	}
	if s := log.String(); !strings.Contains(s, "panic=boom") || !strings.Contains(s, "recover_test.go") || !strings.Contains(s, "uri=/x") {
		t.Errorf("log %q", s)
	}

	// A custom answer, and a handler that does not panic.
	h = Recover(RecoverConfig{Logger: discardLogger(), Handler: func(ctx *volt.RequestCtx, v any) {
		ctx.SetStatusCode(502)
		ctx.WriteString(v.(error).Error())
	}})(func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/fine" {
			ctx.WriteString("fine")
			return
		}
		panic(volt.ErrInvalidURI)
	})
	ctx := newCtx("GET", "/")
	h(ctx)
	if ctx.Response.StatusCode() != 502 || string(ctx.Response.Body()) != volt.ErrInvalidURI.Error() {
		t.Errorf("custom: %d %q", ctx.Response.StatusCode(), ctx.Response.Body())
	}
	ctx = newCtx("GET", "/fine")
	h(ctx)
	if string(ctx.Response.Body()) != "fine" {
		t.Errorf("no panic: %q", ctx.Response.Body())
	}
}

// TestRecoverAfterFlush: once the head is sent, the panic goes on to the
// server, which closes the connection.
func TestRecoverAfterFlush(t *testing.T) {
	addr := serveTCP(t, Recover(RecoverConfig{Logger: discardLogger()})(func(ctx *volt.RequestCtx) {
		ctx.WriteString("streamed")
		ctx.Flush()
		panic("late")
	}))
	c := dialFrom(t, addr, "127.0.0.1")
	c.c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	var all bytes.Buffer
	all.ReadFrom(c.br)
	if !strings.HasPrefix(all.String(), "HTTP/1.1 200") || !strings.Contains(all.String(), "streamed") {
		t.Errorf("got %q", all.String())
	}
}

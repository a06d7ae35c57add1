package middleware

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

func TestTimeout(t *testing.T) {
	var ctxErr atomic.Value
	h := Timeout(TimeoutConfig{Timeout: 50 * time.Millisecond})(func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/fast":
			ctx.WriteString("fast")
		case "/wait":
			// A well-behaved handler: it stops when its context ends.
			select {
			case <-ctx.Done():
				ctxErr.Store(ctx.Err())
				ctx.WriteString("too late")
			case <-time.After(5 * time.Second):
				ctx.WriteString("slept")
			}
		case "/ignore":
			// A handler that ignores its context and writes after the
			// deadline: none of it may reach the client.
			time.Sleep(150 * time.Millisecond)
			ctx.Response.Header.Set("X-Late", "1")
			ctx.WriteString("late write")
		case "/derived":
			// A context derived from ctx ends with it.
			c, cancel := context.WithCancel(ctx)
			defer cancel()
			<-c.Done()
			ctxErr.Store(context.Cause(c))
		}
	})
	addr := serveTCP(t, h)
	c := dialFrom(t, addr, "127.0.0.1")

	resp, body := c.do("GET", "/fast")
	if resp.StatusCode != 200 || body != "fast" {
		t.Fatalf("fast: %d %q", resp.StatusCode, body)
	}
	start := time.Now()
	resp, body = c.do("GET", "/wait")
	if resp.StatusCode != 503 || body != "Service Unavailable" {
		t.Fatalf("wait: %d %q", resp.StatusCode, body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("answered after %v", d)
	}
	err, _ := ctxErr.Load().(error)
	if err != ErrTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ctx.Err() = %v", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Error("ErrTimeout is not a net.Error timeout")
	}
	resp, body = c.do("GET", "/ignore")
	if resp.StatusCode != 503 || body != "Service Unavailable" || resp.Header.Get("X-Late") != "" {
		t.Fatalf("ignore: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, _ = c.do("GET", "/derived")
	if resp.StatusCode != 503 {
		t.Fatalf("derived: %d", resp.StatusCode)
	}
	// The connection goes on, and timers are reused.
	for i := 0; i < 50; i++ {
		if resp, body = c.do("GET", "/fast"); resp.StatusCode != 200 || body != "fast" {
			t.Fatalf("fast again: %d %q", resp.StatusCode, body)
		}
	}
}

func TestTimeoutCustomAndFlushed(t *testing.T) {
	h := Timeout(TimeoutConfig{Timeout: 20 * time.Millisecond, Handler: func(ctx *volt.RequestCtx) {
		ctx.SetStatusCode(504)
		ctx.WriteString("custom")
	}})(func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/flushed" {
			ctx.WriteString("head sent;")
			ctx.Flush()
		}
		<-ctx.Done()
		ctx.WriteString("done")
	})
	addr := serveTCP(t, h)
	c := dialFrom(t, addr, "127.0.0.1")
	if resp, body := c.do("GET", "/"); resp.StatusCode != 504 || body != "custom" {
		t.Errorf("custom: %d %q", resp.StatusCode, body)
	}
	// Once the head is out the response cannot be replaced: it ends as
	// the handler left it and the connection closes.
	resp, body := c.do("GET", "/flushed")
	if resp.StatusCode != 200 || body != "head sent;done" {
		t.Errorf("flushed: %d %q", resp.StatusCode, body)
	}
	if _, err := c.br.ReadByte(); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Errorf("connection not closed: %v", err)
	}
}

func TestTimeoutDefault(t *testing.T) {
	ctx := newCtx("GET", "/")
	Timeout(TimeoutConfig{})(ok)(ctx)
	if ctx.Response.StatusCode() != 200 || ctx.Err() != nil {
		t.Errorf("got %d, err %v", ctx.Response.StatusCode(), ctx.Err())
	}
}

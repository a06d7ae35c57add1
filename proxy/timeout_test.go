package proxy

import (
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// A pooled connection that the upstream closed while it sat idle is
// found closed before it is used, so that even a POST (which is not
// retried) goes out on a fresh connection.
func TestIdleConnClosedByUpstreamNotUsed(t *testing.T) {
	up := serve(t, &volt.Server{IdleTimeout: 200 * time.Millisecond, Handler: func(ctx *volt.RequestCtx) {
		ctx.WriteString("ok " + string(ctx.Method()))
	}})
	addr, _, logs := front(t, Config{Upstreams: []string{"http://" + up}})
	post := "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
	if resp, body := roundTrip(t, addr, post); resp.StatusCode != 200 || body != "ok POST" {
		t.Fatalf("first: %d %q", resp.StatusCode, body)
	}
	time.Sleep(recentlyActive + 300*time.Millisecond)
	if resp, body := roundTrip(t, addr, post); resp.StatusCode != 200 || body != "ok POST" {
		t.Fatalf("after the upstream closed the idle connection: %d %q\n%s", resp.StatusCode, body, logs)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("log: %s", logs)
	}
}

// The idle check asks the socket only when the connection has been
// quiet for recentlyActive.
func TestIdleCheckSkippedWhenRecentlyActive(t *testing.T) {
	c := &upstreamConn{}
	calls := 0
	r := &idleCheckConn{RawConn: fakeRawConn{&calls}, c: c}
	c.lastRead = time.Now()
	r.Read(func(uintptr) bool { return true })
	if calls != 0 {
		t.Errorf("checked a connection active just now")
	}
	c.lastRead = time.Now().Add(-2 * recentlyActive)
	r.Read(func(uintptr) bool { return true })
	if calls != 1 {
		t.Errorf("did not check a quiet connection")
	}
}

type fakeRawConn struct{ calls *int }

func (f fakeRawConn) Control(func(uintptr)) error { return nil }
func (f fakeRawConn) Read(fn func(uintptr) bool) error {
	*f.calls++
	fn(0)
	return nil
}
func (f fakeRawConn) Write(func(uintptr) bool) error { return nil }

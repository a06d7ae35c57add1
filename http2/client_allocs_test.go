//go:build !race

package http2

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// TestClientDoAllocs: a GET on an established ClientConn to volt's HTTP/2
// server allocates nothing in steady state, client and server together
// (testing.AllocsPerRun counts the whole process).
func TestClientDoAllocs(t *testing.T) {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("Hello, World!")
	}}
	ts := newTestServer(t, srv, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com/page?id=42")
	req.Header.Set("User-Agent", "volt-test/1.0")
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	req.Header.Set("Cookie", "session=abc123; theme=dark")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	do := func() {
		if err := cc.Do(req, resp); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode() != 200 || string(resp.Body()) != "Hello, World!" {
			t.Fatalf("%d %q", resp.StatusCode(), resp.Body())
		}
	}
	for i := 0; i < 50; i++ {
		do() // grow the buffers, pools and tables
	}
	if n := testing.AllocsPerRun(200, do); n != 0 {
		t.Fatalf("%v allocations per Do, want 0", n)
	}
}

// TestClientRoundTripAllocs: RoundTrip with a deadline (the stream's
// pooled timer) and a buffered body allocates nothing in steady state;
// a streamed response costs its reader (two allocations; its buffer is
// pooled).
func TestClientRoundTripAllocs(t *testing.T) {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("Hello, World!")
	}}
	ts := newTestServer(t, srv, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com/page")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	ctx := context.Background()
	rt := func() {
		o := volt.MuxRoundTrip{Deadline: time.Now().Add(time.Minute)}
		if err := cc.RoundTrip(ctx, req, resp, o); err != nil {
			t.Fatal(err)
		}
		if string(resp.Body()) != "Hello, World!" {
			t.Fatalf("%q", resp.Body())
		}
	}
	for i := 0; i < 50; i++ {
		rt()
	}
	if n := testing.AllocsPerRun(200, rt); n != 0 {
		t.Fatalf("%v allocations per RoundTrip, want 0", n)
	}

	var p [64]byte
	streamed := func() {
		if err := cc.RoundTrip(ctx, req, resp, volt.MuxRoundTrip{StreamBody: true}); err != nil {
			t.Fatal(err)
		}
		r := resp.BodyStream()
		for {
			_, err := r.Read(p[:])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		resp.ResetBody()
	}
	for i := 0; i < 50; i++ {
		streamed()
	}
	n := testing.AllocsPerRun(200, streamed)
	t.Logf("%v allocations per streamed response", n)
	if n > 3 {
		t.Fatalf("%v allocations per streamed response, want at most 3", n)
	}
}

// TestHostClientHTTP2Allocs: the same GET through volt.HostClient over
// HTTP/2 (prior knowledge), with the pool picking the connection and
// counting its stream, allocates nothing either; so does DoTimeout.
func TestHostClientHTTP2Allocs(t *testing.T) {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("Hello, World!")
	}}
	ts := newTestServer(t, srv, nil)
	hc := &volt.HostClient{Addr: ts.addr(), ConnConfig: volt.ConnConfig{HTTP2PriorKnowledge: true}}
	defer hc.CloseIdleConnections()
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI("http://" + ts.addr() + "/")
	for name, do := range map[string]func() error{
		"Do":        func() error { return hc.Do(req, resp) },
		"DoTimeout": func() error { return hc.DoTimeout(req, resp, 5*time.Second) },
	} {
		check := func() {
			if err := do(); err != nil || !resp.Header.IsHTTP2() || string(resp.Body()) != "Hello, World!" {
				t.Fatalf("%s: %v %q", name, err, resp.Body())
			}
		}
		for i := 0; i < 50; i++ {
			check()
		}
		if n := testing.AllocsPerRun(200, check); n != 0 {
			t.Errorf("%s over HTTP/2: %v allocations per request, want 0", name, n)
		}
	}
	if n := hc.ConnsCount(); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

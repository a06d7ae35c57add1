package http2

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

func echoHandler(ctx *volt.RequestCtx) {
	ctx.Response.Header.Set("X-Method", string(ctx.Method()))
	ctx.Response.Header.Set("X-Path", string(ctx.Request.Header.RequestURI()))
	ctx.Response.Header.Set("X-Proto", string(ctx.Request.Header.Protocol()))
	ctx.Response.Header.Set("X-Host", string(ctx.Request.Header.Host()))
	if len(ctx.PostBody()) > 0 {
		ctx.SetBody(ctx.PostBody())
		return
	}
	ctx.SetBodyString("hello " + string(ctx.Method()))
}

// TestClientGETPOST: RFC 9113 section 8.3.1: a request's pseudo-header
// fields reach the server, over h2c and TLS, and the response head and
// body come back.
func TestClientGETPOST(t *testing.T) {
	for _, withTLS := range []bool{false, true} {
		name := "h2c"
		var addr string
		if withTLS {
			name = "tls"
			addr = newTLSTestServer(t, &volt.Server{Handler: echoHandler}, nil)
		} else {
			addr = newTestServer(t, &volt.Server{Handler: echoHandler}, nil).addr()
		}
		t.Run(name, func(t *testing.T) {
			cc := dialClient(t, addr, withTLS, nil)
			resp, err := doReq(t, cc, "GET", "http://example.com/a/b?x=1", nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != 200 || string(resp.Body()) != "hello GET" {
				t.Fatalf("GET: %d %q", resp.StatusCode(), resp.Body())
			}
			for k, want := range map[string]string{"X-Method": "GET", "X-Path": "/a/b?x=1", "X-Proto": "HTTP/2.0", "X-Host": "example.com"} {
				if got := string(resp.Header.Peek(k)); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			resp, err = doReq(t, cc, "POST", "http://example.com/post", []byte("payload"))
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body()) != "payload" || string(resp.Header.Peek("X-Method")) != "POST" {
				t.Fatalf("POST: %q %q", resp.Body(), resp.Header.Peek("X-Method"))
			}
			resp, err = doReq(t, cc, "HEAD", "http://example.com/", nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != 200 || len(resp.Body()) != 0 {
				t.Fatalf("HEAD: %d %q", resp.StatusCode(), resp.Body())
			}
		})
	}
}

// TestClientLargeBodies: RFC 9113 section 6.9: 1 MiB up and down, with
// windows smaller than the body on both sides, so that both wait for
// WINDOW_UPDATE.
func TestClientLargeBodies(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: echoHandler, MaxRequestBodySize: 2 << 20},
		&Server{InitialWindowSize: 64 << 10, ConnWindowSize: 128 << 10})
	cc := dialClient(t, ts.addr(), false, &ClientConfig{InitialWindowSize: 64 << 10, ConnWindowSize: 100 << 10})
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	resp, err := doReq(t, cc, "POST", "http://example.com/up", body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body(), body) {
		t.Fatalf("echo of %d bytes: got %d bytes", len(body), len(resp.Body()))
	}
}

// TestClientTrailers: RFC 9113 section 8.1: trailers in a HEADERS frame
// with END_STREAM after the DATA, both ways.
func TestClientTrailers(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("got " + string(ctx.PostBody()) + " sum=" + string(ctx.Request.Header.Trailer("X-Sum")))
		ctx.Response.Header.SetTrailer("X-Result", "done")
	}}, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.Header.SetMethod("POST")
	req.SetRequestURI("http://example.com/t")
	req.SetBodyString("data")
	req.Header.SetTrailer("X-Sum", "abc")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if string(resp.Body()) != "got data sum=abc" {
		t.Fatalf("body %q", resp.Body())
	}
	if got := string(resp.Header.Trailer("X-Result")); got != "done" {
		t.Fatalf("trailer X-Result = %q", got)
	}
}

// TestClientInvalidField: a field that cannot be sent (CR/LF in a value, a
// non-token name) fails with volt.ErrInvalidHeaderField before anything
// is written, and the connection goes on.
func TestClientInvalidField(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: echoHandler}, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	for _, kv := range [][2]string{{"X-Bad", "a\r\nb"}, {"Bad Name", "v"}, {"X-Nul", "a\x00"}} {
		req := volt.AcquireRequest()
		req.SetRequestURI("http://example.com/")
		req.Header.Set(kv[0], kv[1])
		resp := volt.AcquireResponse()
		err := cc.Do(req, resp)
		volt.ReleaseRequest(req)
		volt.ReleaseResponse(resp)
		if !errors.Is(err, volt.ErrInvalidHeaderField) {
			t.Errorf("%q: %v, want ErrInvalidHeaderField", kv, err)
		}
	}
	if _, err := doReq(t, cc, "GET", "http://example.com/", nil); err != nil {
		t.Fatal(err)
	}
}

// TestClientConnectionSpecificFields: RFC 9113 section 8.2.2: Connection,
// Keep-Alive, Transfer-Encoding, Upgrade are not sent, te only as
// "trailers"; the server would reset the stream otherwise.
func TestClientConnectionSpecificFields(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString(string(ctx.Request.Header.Peek("X-Keep")) + "|" + string(ctx.Request.Header.Peek("Te")))
	}}, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com/")
	for _, kv := range [][2]string{{"Connection", "keep-alive"}, {"Keep-Alive", "timeout=5"}, {"Upgrade", "h2c"},
		{"Transfer-Encoding", "chunked"}, {"Proxy-Connection", "x"}, {"TE", "Trailers"}, {"X-Keep", "yes"}} {
		req.Header.Set(kv[0], kv[1])
	}
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	if err := cc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || string(resp.Body()) != "yes|trailers" {
		t.Fatalf("%d %q", resp.StatusCode(), resp.Body())
	}
}

// TestClientConcurrentStreams: RFC 9113 section 5.1.2: 200 concurrent Do
// calls on one connection to a server allowing 16 streams. None fails,
// and the server never runs more than 16 at once. A Do that finds every
// stream in use returns ErrNoStreamAvailable (nothing sent) and is
// retried here, as a pool would open another connection instead. So is
// one the server refused (ErrStreamUnprocessed): the client counts a
// stream closed when END_STREAM arrives, which can be a moment before the
// server does.
func TestClientConcurrentStreams(t *testing.T) {
	var cur, peak atomic.Int32
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		cur.Add(-1)
		ctx.SetBodyString("ok")
	}}, &Server{MaxConcurrentStreams: 16})
	cc := dialClient(t, ts.addr(), false, nil)
	// One request first: the server's SETTINGS (16 streams) precede its
	// answer, so the client knows the limit before the burst.
	if _, err := doReq(t, cc, "GET", "http://example.com/", nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var retries atomic.Int32
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := volt.AcquireRequest()
			defer volt.ReleaseRequest(req)
			req.SetRequestURI("http://example.com/c")
			resp := volt.AcquireResponse()
			defer volt.ReleaseResponse(resp)
			for {
				err := cc.Do(req, resp)
				if errors.Is(err, ErrNoStreamAvailable) || errors.Is(err, ErrStreamUnprocessed) {
					retries.Add(1)
					time.Sleep(100 * time.Microsecond)
					continue
				}
				if err == nil && string(resp.Body()) != "ok" {
					err = fmt.Errorf("body %q", resp.Body())
				}
				errs <- err
				return
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > 16 || p < 2 {
		t.Fatalf("peak concurrency on the server %d, want 2..16", p)
	}
	if retries.Load() == 0 {
		t.Fatal("no Do returned ErrNoStreamAvailable")
	}
	t.Logf("peak %d, %d retries", peak.Load(), retries.Load())
}

// TestClientDoCtxCancel: RFC 9113 section 8.7: a request whose context
// ends is reset with RST_STREAM CANCEL (the handler sees ctx.Done), the
// call returns ctx.Err(), and the connection serves the next request.
func TestClientDoCtxCancel(t *testing.T) {
	reset := make(chan struct{}, 1)
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			select {
			case <-ctx.Done():
				reset <- struct{}{}
			case <-time.After(5 * time.Second):
			}
			return
		}
		ctx.SetBodyString("fast")
	}}, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com/slow")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := cc.DoCtx(ctx, req, resp); err != context.DeadlineExceeded {
		t.Fatalf("DoCtx: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("DoCtx returned after %v", d)
	}
	select {
	case <-reset:
	case <-time.After(3 * time.Second):
		t.Fatal("the server did not see the stream reset")
	}
	r2, err := doReq(t, cc, "GET", "http://example.com/fast", nil)
	if err != nil || string(r2.Body()) != "fast" {
		t.Fatalf("next request: %v %q", err, r2.Body())
	}
}

// TestClientCloseFailsInFlight: Close sends GOAWAY and fails the Do calls
// in flight with ErrClientConnClosed; later calls fail too.
func TestClientCloseFailsInFlight(t *testing.T) {
	release := make(chan struct{})
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) { <-release }}, nil)
	defer close(release)
	cc := dialClient(t, ts.addr(), false, nil)
	errc := make(chan error, 1)
	go func() {
		_, err := doReq(t, cc, "GET", "http://example.com/", nil)
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	_ = cc.Close()
	if err := <-errc; !errors.Is(err, ErrClientConnClosed) {
		t.Fatalf("in flight: %v", err)
	}
	if cc.CanTakeRequest() {
		t.Fatal("CanTakeRequest after Close")
	}
	if _, err := doReq(t, cc, "GET", "http://example.com/", nil); !errors.Is(err, ErrClientConnClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestClientPing: RFC 9113 section 6.7: Ping returns once the server
// acknowledges.
func TestClientPing(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: echoHandler}, nil)
	cc := dialClient(t, ts.addr(), false, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := cc.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

//go:build linux

package volt

import (
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// heldCounter installs the heldRead hook and counts the held wait's reads
// that returned bytes and those that did not (EAGAIN).
type heldCounter struct{ data, empty atomic.Int64 }

func countHeld(t *testing.T) *heldCounter {
	hc := &heldCounter{}
	setTestHooks(t, &testHooks{heldRead: func(n int) {
		if n > 0 {
			hc.data.Add(1)
		} else {
			hc.empty.Add(1)
		}
	}})
	return hc
}

// held returns s with a park delay long enough that a loaded machine
// never parks its connections between a test's requests (they would be
// resumed by the usual loop, not read by the held wait).
func held(s *Server) *Server {
	s.testParkDelay = 10 * time.Second
	return s
}

// send writes req to c and checks that the held wait read the request:
// once started fires, or (nil) within a few seconds.
func (hc *heldCounter) send(t *testing.T, c net.Conn, req string, started <-chan struct{}) {
	t.Helper()
	before := hc.data.Load()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	if started == nil {
		waitFor(t, "the held wait to read the request", func() bool { return hc.data.Load() > before })
		return
	}
	<-started
	if hc.data.Load() == before {
		t.Fatal("the request was not read by the held wait")
	}
}

// TestHeldOneReadPerRequest: on a busy keep-alive connection, each
// request costs one read: the held wait reads it, answers, and waits
// without a read that finds the socket empty. With the held wait off,
// the hook sees nothing (the plain wait reads twice per request).
func TestHeldOneReadPerRequest(t *testing.T) {
	const n = 300
	for _, disable := range []bool{false, true} {
		hc := countHeld(t)
		s := held(okServer())
		s.disableHold = disable
		addr := testTCPServer(t, s)
		c, br := servedClient(t, addr)
		for range n {
			if _, body := exchange(t, c, br, get("/")); body != "ok" {
				t.Fatalf("body %q", body)
			}
		}
		data, empty := hc.data.Load(), hc.empty.Load()
		t.Logf("disableHold=%v: %d requests, %d reads with bytes, %d empty", disable, n, data, empty)
		if disable {
			if data+empty != 0 {
				t.Fatalf("held wait used while disabled: %d reads", data+empty)
			}
			continue
		}
		// Each request came in one read; a read that finds nothing is
		// rare (the wait's first read, a stale readiness event).
		if data < n-5 || data > n+1 {
			t.Fatalf("%d requests were read by %d held reads, want about one each", n, data)
		}
		if empty > n/4 {
			t.Fatalf("%d empty reads for %d requests", empty, n)
		}
	}
}

// TestHeldPipelinedAndSplit: pipelined requests are answered in order by
// the held wait; a head or a body split across writes leaves it for the
// usual loop, which reads the rest, and the connection is held again
// after.
func TestHeldPipelinedAndSplit(t *testing.T) {
	hc := countHeld(t)
	s := held(&Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/" {
			ctx.WriteString("ok")
			return
		}
		ctx.WriteString(string(ctx.Path()))
		ctx.Write(ctx.PostBody())
	}})
	addr := testTCPServer(t, s)
	c, br := servedClient(t, addr)
	expect := func(want string) {
		t.Helper()
		if _, body := exchange(t, c, br, ""); body != want {
			t.Fatalf("body %q, want %q", body, want)
		}
	}
	// Pipelined, whole in one write.
	io.WriteString(c, get("/a")+get("/b")+get("/c"))
	expect("/a")
	expect("/b")
	expect("/c")
	// A head in two writes.
	before := hc.data.Load()
	io.WriteString(c, "GET /split HTTP/1.1\r\nHo")
	time.Sleep(30 * time.Millisecond)
	io.WriteString(c, "st: x\r\n\r\n")
	expect("/split")
	if hc.data.Load() == before {
		t.Fatal("the split head's first bytes were not read by the held wait")
	}
	// A body that comes after its head.
	io.WriteString(c, "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n")
	time.Sleep(30 * time.Millisecond)
	io.WriteString(c, "hello")
	expect("/bodyhello")
	// A head and body in one write, then more held requests.
	io.WriteString(c, "POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
	expect("/oneabc")
	before = hc.data.Load()
	for range 5 {
		if _, body := exchange(t, c, br, get("/again")); body != "/again" {
			t.Fatalf("body %q", body)
		}
	}
	if got := hc.data.Load() - before; got < 5 {
		t.Fatalf("%d of 5 requests after a split one were read held", got)
	}
}

// TestHeldHijack: a request served from the held wait can hijack the
// connection, with or without an Upgrade header; the hijack handler
// reads and writes the connection once the held wait has ended.
func TestHeldHijack(t *testing.T) {
	for _, upgrade := range []bool{false, true} {
		s := held(&Server{Handler: func(ctx *RequestCtx) {
			if string(ctx.Path()) != "/hijack" {
				ctx.WriteString("ok")
				return
			}
			ctx.SetStatusCode(StatusSwitchingProtocols)
			ctx.Response.Header.Set("Upgrade", "echo")
			ctx.Response.Header.Set("Connection", "Upgrade")
			ctx.Hijack(func(c net.Conn) {
				buf := make([]byte, 5)
				if _, err := io.ReadFull(c, buf); err != nil {
					return
				}
				c.Write([]byte(strings.ToUpper(string(buf))))
			})
		}})
		addr := testTCPServer(t, s)
		c, br := servedClient(t, addr)
		req := "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n"
		if upgrade {
			req = "GET /hijack HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
		}
		io.WriteString(c, req)
		var head strings.Builder
		for !strings.HasSuffix(head.String(), "\r\n\r\n") {
			b, err := br.ReadByte()
			if err != nil {
				t.Fatalf("upgrade=%v: response head %q: %v", upgrade, head.String(), err)
			}
			head.WriteByte(b)
		}
		if !strings.HasPrefix(head.String(), "HTTP/1.1 101") {
			t.Fatalf("upgrade=%v: response %q", upgrade, head.String())
		}
		io.WriteString(c, "hello")
		got := make([]byte, 5)
		if _, err := io.ReadFull(br, got); err != nil || string(got) != "HELLO" {
			t.Fatalf("upgrade=%v: echo %q, %v", upgrade, got, err)
		}
	}
}

// TestHeldCloseDoesNotWait: Server.Close returns at once while a handler
// served from the held wait runs, including when that handler is the one
// that calls it; the client sees the connection end.
func TestHeldCloseDoesNotWait(t *testing.T) {
	for _, fromHandler := range []bool{false, true} {
		release := make(chan struct{})
		started := make(chan struct{}, 1)
		closed := make(chan struct{})
		var s *Server
		s = held(&Server{Handler: func(ctx *RequestCtx) {
			if string(ctx.Path()) != "/block" {
				ctx.WriteString("ok")
				return
			}
			started <- struct{}{}
			if fromHandler {
				s.Close()
				close(closed)
			}
			<-release
			ctx.WriteString("late")
		}})
		hc := countHeld(t)
		addr := testTCPServer(t, s)
		c, br := servedClient(t, addr)
		hc.send(t, c, get("/block"), started)
		if !fromHandler {
			go func() { s.Close(); close(closed) }()
		}
		select {
		case <-closed:
		case <-time.After(5 * time.Second):
			close(release)
			t.Fatalf("fromHandler=%v: Close waited for the handler", fromHandler)
		}
		waitClosed(t, c, br, 5*time.Second)
		close(release)
		waitFor(t, "the connection to be gone", func() bool { return s.Stats().OpenConns == 0 })
	}
}

// TestHeldShutdown: Shutdown lets a handler served from the held wait
// finish and answer, then closes the connection.
func TestHeldShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	s := held(&Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/block" {
			started <- struct{}{}
			<-release
		}
		ctx.WriteString("ok")
	}})
	addr := testTCPServer(t, s)
	c, br := servedClient(t, addr)
	io.WriteString(c, get("/block"))
	<-started
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(t.Context()) }()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if _, body := exchange(t, c, br, ""); body != "ok" {
		t.Fatalf("body %q", body)
	}
	waitClosed(t, c, br, 5*time.Second)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return")
	}
}

// TestHeldDone: a request served from the held wait sees Done close when
// the client leaves (hupwatch watches the socket; nothing reads it).
func TestHeldDone(t *testing.T) {
	hc := countHeld(t)
	s, started, cancelled := doneServer()
	addr := testTCPServer(t, held(s))
	c, _ := servedClient(t, addr)
	hc.send(t, c, get("/wait"), started)
	c.Close()
	if err := <-cancelled; err == nil {
		t.Fatal("Done did not close when the client left")
	}
}

// TestHeldNotWithConnState: a server with a ConnState hook never holds
// (the hook gets the net.Conn and would run inside the held callback).
func TestHeldNotWithConnState(t *testing.T) {
	hc := countHeld(t)
	var states atomic.Int32
	s := held(okServer())
	s.ConnState = func(net.Conn, ConnState) { states.Add(1) }
	addr := testTCPServer(t, s)
	c, br := servedClient(t, addr)
	for range 10 {
		exchange(t, c, br, get("/"))
	}
	if n := hc.data.Load() + hc.empty.Load(); n != 0 {
		t.Fatalf("%d held reads with a ConnState hook", n)
	}
	if states.Load() == 0 {
		t.Fatal("ConnState never called")
	}
}

// TestHeldPeerLeaves: a held connection whose client closes or resets
// ends, and the server keeps serving others.
func TestHeldPeerLeaves(t *testing.T) {
	s := okServer()
	addr := testTCPServer(t, s)
	c1, _ := servedClient(t, addr)
	c1.Close()
	c2, _ := servedClient(t, addr)
	c2.(*net.TCPConn).SetLinger(0)
	c2.Close()
	waitFor(t, "both connections to be gone", func() bool { return s.Stats().OpenConns == 0 })
	c3, br := servedClient(t, addr)
	if _, body := exchange(t, c3, br, get("/")); body != "ok" {
		t.Fatalf("body %q", body)
	}
}

// TestHeldLimits: requests read by the held wait meet the same limits: a
// head over MaxHeaderBytes gets 431, a body over MaxRequestBodySize 413,
// both close their connection, and the server goes on serving others.
func TestHeldLimits(t *testing.T) {
	hc := countHeld(t)
	s := held(okServer())
	s.MaxHeaderBytes = 1024
	s.MaxRequestBodySize = 100
	addr := testTCPServer(t, s)
	for _, tc := range []struct {
		req  string
		code int
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2000) + "\r\n\r\n", 431},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n" + strings.Repeat("b", 101), 413},
	} {
		c, br := servedClient(t, addr)
		before := hc.data.Load()
		resp, _ := exchange(t, c, br, tc.req)
		if resp.StatusCode != tc.code {
			t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
		}
		if hc.data.Load() == before {
			t.Fatal("the request was not read by the held wait")
		}
		waitClosed(t, c, br, 5*time.Second)
	}
	c, br := servedClient(t, addr)
	if _, body := exchange(t, c, br, get("/")); body != "ok" {
		t.Fatalf("body %q", body)
	}
}

// TestHeldLargeResponse: a response larger than the socket takes at once,
// to a held request from a client that reads late, goes out whole, and
// the connection serves on. With the default write buffer the body goes
// out by writev, which waits under its deadline inside the held
// callback; with a write buffer larger than the body, flush's direct
// write sends what the socket takes and the usual write the rest.
func TestHeldLargeResponse(t *testing.T) {
	body := strings.Repeat("0123456789abcdef", 1<<18) // 4 MiB
	for _, wbuf := range []int{0, 8 << 20} {
		hc := countHeld(t)
		s := held(&Server{WriteBufferSize: wbuf, Handler: func(ctx *RequestCtx) {
			if string(ctx.Path()) == "/big" {
				ctx.WriteString(body)
				return
			}
			ctx.WriteString("ok")
		}})
		addr := testTCPServer(t, s)
		c, br := servedClient(t, addr)
		hc.send(t, c, get("/big"), nil)
		time.Sleep(50 * time.Millisecond) // the socket buffers fill
		if _, got := exchange(t, c, br, ""); got != body {
			t.Fatalf("WriteBufferSize %d: body of %d bytes, want %d", wbuf, len(got), len(body))
		}
		if _, got := exchange(t, c, br, get("/")); got != "ok" {
			t.Fatalf("WriteBufferSize %d: next body %q", wbuf, got)
		}
	}
}

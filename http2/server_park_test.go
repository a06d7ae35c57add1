package http2

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
)

// connGoroutines counts the goroutines running code of a serverConn: a
// parked connection has none.
func connGoroutines() int {
	buf := make([]byte, 1<<22)
	n := 0
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "http2.(*serverConn).") {
			n++
		}
	}
	return n
}

// waitParked waits until no goroutine serves a connection.
func waitParked(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := connGoroutines()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines still serve connections", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitOpenConns waits until the server has n connections open.
func waitOpenConns(t *testing.T, srv *volt.Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for srv.Stats().OpenConns != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open, want %d", srv.Stats().OpenConns, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// getHello sends a GET on stream id and checks the answer.
func (rc *rawClient) getHello(id uint32) {
	rc.t.Helper()
	rc.get(id, "/")
	if r := rc.readResponse(id); r.status != "200" || string(r.body) != "hello HTTP/2.0" {
		rc.t.Fatalf("stream %d: status %q body %q", id, r.status, r.body)
	}
}

// TestParkedConnServesRequestAfterLongIdle checks that an idle connection
// gives its goroutine back, and that a request after a long idle period
// wakes it and is answered, on the same connection, as often as asked.
func TestParkedConnServesRequestAfterLongIdle(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	rc := ts.dialRaw()
	rc.getHello(1)
	for id := uint32(3); id <= 7; id += 2 {
		waitParked(t)
		time.Sleep(100 * time.Millisecond) // long after parkDelay
		rc.getHello(id)
	}
	// Requests in a row: the connection wakes and parks between them.
	for id := uint32(9); id <= 29; id += 2 {
		rc.getHello(id)
	}
}

// TestParkedConnAnswersPing checks that a PING sent to a parked
// connection is answered (RFC 9113 section 6.7) and that the connection
// parks again after it.
func TestParkedConnAnswersPing(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	rc := ts.dialRaw()
	rc.getHello(1)
	data := [8]byte{'p', 'a', 'r', 'k', 'e', 'd', '!', '?'}
	for range 3 {
		waitParked(t)
		rc.write(AppendPing(nil, false, data))
		f := rc.read()
		if f.Type != FramePing || !f.Flags.Has(FlagAck) || string(f.Data) != string(data[:]) {
			t.Fatalf("got %v flags %v data %q, want PING ACK with %q", f.Type, f.Flags, f.Data, data)
		}
	}
	waitParked(t)
	rc.getHello(3)
}

// TestParkedConnClientGoes checks that a parked connection whose client
// closes it, or resets it, is closed by the server.
func TestParkedConnClientGoes(t *testing.T) {
	for _, reset := range []bool{false, true} {
		name := "close"
		if reset {
			name = "reset"
		}
		t.Run(name, func(t *testing.T) {
			srv := &volt.Server{Handler: helloHandler}
			ts := newTestServer(t, srv, nil)
			rc := ts.dialRaw()
			rc.getHello(1)
			waitParked(t)
			waitOpenConns(t, srv, 1)
			if reset {
				_ = rc.conn.(*net.TCPConn).SetLinger(0)
			}
			_ = rc.conn.Close()
			waitOpenConns(t, srv, 0)
		})
	}
}

// TestParkedConnIdleTimeout checks that a parked connection idle for
// IdleTimeout gets GOAWAY NO_ERROR and is closed (RFC 9113 section 6.8).
func TestParkedConnIdleTimeout(t *testing.T) {
	srv := &volt.Server{Handler: helloHandler, IdleTimeout: 300 * time.Millisecond}
	ts := newTestServer(t, srv, nil)
	rc := ts.dialRaw()
	rc.getHello(1)
	start := time.Now()
	waitParked(t)
	if code := rc.expectGoAway(); code != ErrCodeNo {
		t.Fatalf("GOAWAY %v, want NO_ERROR", code)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 3*time.Second {
		t.Fatalf("closed after %v, want about 300ms", d)
	}
	waitOpenConns(t, srv, 0)
}

// dialParked opens n connections that each served one request, and waits
// until every one is parked.
func dialParked(t *testing.T, ts *testServer, n int) []*rawClient {
	t.Helper()
	rcs := make([]*rawClient, n)
	for i := range rcs {
		rcs[i] = ts.dialRaw()
		rcs[i].getHello(1)
	}
	waitParked(t)
	return rcs
}

// TestParkedConnsHoldNoGoroutine checks that 1,000 idle connections hold
// no goroutine of their own.
func TestParkedConnsHoldNoGoroutine(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 connections")
	}
	srv := &volt.Server{Handler: helloHandler}
	ts := newTestServer(t, srv, nil)
	before := runtime.NumGoroutine()
	rcs := dialParked(t, ts, 1000)
	// Idle pool workers stay a while (MaxIdleDuration); they serve no
	// connection.
	if n := runtime.NumGoroutine() - before; n > 200 {
		t.Fatalf("%d goroutines for 1,000 idle connections", n)
	}
	// Every connection still answers.
	for i, rc := range rcs {
		if i%100 == 0 {
			rc.getHello(3)
		}
	}
}

// TestParkedConnsShutdown checks that Server.Shutdown reaches 1,000
// parked connections: each gets GOAWAY (RFC 9113 section 6.8), then is
// closed, and Shutdown returns soon.
func TestParkedConnsShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 connections")
	}
	srv := &volt.Server{Handler: helloHandler}
	ts := newTestServer(t, srv, &Server{ShutdownGrace: 50 * time.Millisecond})
	rcs := dialParked(t, ts, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Shutdown took %v", d)
	}
	for _, rc := range rcs {
		if code := rc.expectGoAway(); code != ErrCodeNo {
			t.Fatalf("GOAWAY %v, want NO_ERROR", code)
		}
	}
}

// TestParkedConnsServerClose checks that Server.Close closes parked
// connections at once.
func TestParkedConnsServerClose(t *testing.T) {
	srv := &volt.Server{Handler: helloHandler}
	ts := newTestServer(t, srv, nil)
	rcs := dialParked(t, ts, 20)
	_ = srv.Close()
	var wg sync.WaitGroup
	for _, rc := range rcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = rc.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := io.Copy(io.Discard, rc.conn); err != nil {
				t.Errorf("connection left open: %v", err)
			}
		}()
	}
	wg.Wait()
	waitOpenConns(t, srv, 0)
}

// TestParkedUpgradedConn checks that a connection switched to h2c with
// Upgrade (RFC 7540 section 3.2) parks once idle, and serves on.
func TestParkedUpgradedConn(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: helloHandler}, nil)
	c, err := net.Dial("tcp", ts.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	payload := AppendSettings(nil)[FrameHeaderLen:]
	if _, err := io.WriteString(c, upgradeRequest(base64.RawURLEncoding.EncodeToString(payload))); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l == "\r\n" {
			break
		}
	}
	rc := &rawClient{t: t, conn: c, fr: NewFrameReader(br), enc: hpack.NewEncoder(), dec: hpack.NewDecoder(4096)}
	rc.write(append([]byte(ClientPreface), AppendSettings(nil)...))
	if f := rc.read(); f.Type != FrameSettings || f.Flags.Has(FlagAck) {
		t.Fatalf("first frame %v, want SETTINGS", f.Type)
	}
	rc.write(AppendSettingsAck(nil))
	if r := rc.readResponses(1)[1]; string(r.body) != "hello HTTP/2.0" {
		t.Fatalf("stream 1: body %q", r.body)
	}
	waitParked(t)
	time.Sleep(50 * time.Millisecond)
	rc.getHello(3)
	waitParked(t)
	rc.getHello(5)
}

// processCPU returns the CPU time the process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestPartialFrameWaitsWithoutSpinning checks that a reader waiting for
// the rest of a frame, when a short deadline passes (the last stream
// ended: idleRecheck; or parkDelay), waits on with a fresh deadline
// rather than failing each read at once, and then serves the frame.
func TestPartialFrameWaitsWithoutSpinning(t *testing.T) {
	handler := func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			// No body: the client sends no WINDOW_UPDATE in the
			// middle of its partial frame.
			time.Sleep(50 * time.Millisecond)
			ctx.SetStatusCode(volt.StatusNoContent)
			return
		}
		helloHandler(ctx)
	}
	ts := newTestServer(t, &volt.Server{Handler: handler}, nil)
	rc := ts.dialRaw()
	rc.get(1, "/slow")
	block := rc.block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "example.com")
	next := AppendHeaders(nil, 3, true, true, block)
	cut := FrameHeaderLen + 2 // the frame header and part of its block
	rc.write(next[:cut])
	start, cpu := time.Now(), processCPU()
	if r := rc.readResponse(1); r.status != "204" {
		t.Fatalf("stream 1: status %q", r.status)
	}
	time.Sleep(300*time.Millisecond - time.Since(start))
	used, wall := processCPU()-cpu, time.Since(start)
	if used > wall/2 {
		t.Fatalf("%v of CPU in %v while a partial frame waited", used, wall)
	}
	rc.write(next[cut:])
	if r := rc.readResponse(3); string(r.body) != "hello HTTP/2.0" {
		t.Fatalf("stream 3: body %q", r.body)
	}
}

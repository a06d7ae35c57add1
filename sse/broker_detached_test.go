package sse

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// detachedServer serves b.ServeDetached for topic "t" over TCP (so that
// sockets park) and returns the address and the server.
func detachedServer(t testing.TB, b *Broker) (string, *volt.Server) {
	t.Helper()
	s := &volt.Server{Handler: func(ctx *volt.RequestCtx) { b.ServeDetached(ctx, "t") }}
	return tcpServer(t, s), s
}

// TestBrokerDetachedFanOut: detached subscribers get every event in order,
// as chunks of a chunked response with the stream's head.
func TestBrokerDetachedFanOut(t *testing.T) {
	var b Broker
	addr, srv := detachedServer(t, &b)
	var subs []*rawStream
	for i := 0; i < 3; i++ {
		subs = append(subs, openRaw(t, dialTCP(t, addr), "/").start())
	}
	waitFor(t, "3 subscribers", func() bool { return b.Subscribers("t") == 3 })
	rs := subs[0]
	if ct := rs.resp.Header.Get("Content-Type"); ct != "text/event-stream" || rs.resp.TransferEncoding[0] != "chunked" ||
		rs.resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("head %v %v", rs.resp.Header, rs.resp.TransferEncoding)
	}
	b.Publish("t", &Event{Type: "headline", Data: []byte("one")})
	b.Publish("t", &Event{ID: "custom", Data: []byte("two\nlines")})
	time.Sleep(20 * time.Millisecond)
	b.Publish("t", &Event{Data: []byte("three")})
	for i, rs := range subs {
		got := []Event{rs.next(t), rs.next(t), rs.next(t)}
		want := []Event{ev("1", "headline", "one"), ev("custom", "message", "two\nlines"), ev("2", "message", "three")}
		if fmtEvents(got) != fmtEvents(want) {
			t.Fatalf("subscriber %d: %s", i, fmtEvents(got))
		}
	}
	waitFor(t, "Sent to count 9", func() bool { return b.Stats().Sent == 9 })
	if st := srv.Stats(); st.HijackedConns != 3 || st.OpenConns != 3 {
		t.Fatalf("server stats %+v", st)
	}
}

// TestBrokerDetachedReplay: Last-Event-ID gets the history after that ID,
// then the live events.
func TestBrokerDetachedReplay(t *testing.T) {
	b := Broker{HistorySize: 4, Stream: StreamConfig{Retry: 3 * time.Second}}
	addr, _ := detachedServer(t, &b)
	for i := 1; i <= 6; i++ {
		b.Publish("t", &Event{Data: []byte(fmt.Sprint("e", i))})
	}
	rs := openRaw(t, dialTCP(t, addr), "/", "Last-Event-ID: 4").start()
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("live")})
	got := []Event{rs.next(t), rs.next(t), rs.next(t)}
	if datas(got) != "e5,e6,live" || got[2].ID != "7" {
		t.Fatalf("got %s", fmtEvents(got))
	}
}

// TestBrokerDetachedClientGone: a client that closes or resets its
// connection while idle is removed, without a write.
func TestBrokerDetachedClientGone(t *testing.T) {
	for _, reset := range []bool{false, true} {
		t.Run(fmt.Sprint("reset=", reset), func(t *testing.T) {
			b := Broker{Stream: StreamConfig{KeepAlive: -1}}
			addr, srv := detachedServer(t, &b)
			rs := openRaw(t, dialTCP(t, addr), "/")
			waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
			time.Sleep(20 * time.Millisecond)
			if reset {
				rs.conn.(*net.TCPConn).SetLinger(0)
			}
			rs.conn.Close()
			waitFor(t, "the subscriber to leave", func() bool {
				return b.Subscribers("t") == 0 && b.Stats().Streams == 0 && srv.Stats().OpenConns == 0
			})
			if st := b.Stats(); st.Topics != 0 {
				t.Fatalf("topic kept: %+v", st)
			}
		})
	}
}

// TestBrokerDetachedKeepAlive: a silent stream sends keep-alive comments.
func TestBrokerDetachedKeepAlive(t *testing.T) {
	b := Broker{Stream: StreamConfig{KeepAlive: 30 * time.Millisecond}}
	addr, _ := detachedServer(t, &b)
	rs := openRaw(t, dialTCP(t, addr), "/")
	buf := make([]byte, 64)
	rs.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := rs.resp.Body.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), ": keep-alive") {
		t.Fatalf("read %q %v", buf[:n], err)
	}
}

// TestBrokerDetachedDisconnect: Disconnect and Close end the streams
// after what they queued, with the last chunk.
func TestBrokerDetachedDisconnect(t *testing.T) {
	var b Broker
	addr, srv := detachedServer(t, &b)
	rs := openRaw(t, dialTCP(t, addr), "/")
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("last")})
	if n := b.Disconnect("t"); n != 1 {
		t.Fatalf("Disconnect: %d", n)
	}
	if body := rs.body(t); body != "id: 1\ndata: last\n\n" {
		t.Fatalf("body %q", body)
	}
	waitFor(t, "the connection to close", func() bool { return srv.Stats().OpenConns == 0 && b.Stats().Streams == 0 })
}

// TestBrokerDetachedSlowClient: a subscriber that does not read fills its
// queue; with OverflowClose it is closed, and the publisher never waits.
func TestBrokerDetachedSlowClient(t *testing.T) {
	b := Broker{HistorySize: -1, Stream: StreamConfig{BufferLimit: 64 << 10, KeepAlive: -1}}
	addr, _ := detachedServer(t, &b)
	rs := openRaw(t, dialTCP(t, addr), "/")
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	big := &Event{Data: []byte(strings.Repeat("x", 16<<10))}
	start := time.Now()
	for i := 0; i < 2000 && b.Stats().SlowClosed == 0; i++ {
		b.Publish("t", big)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("the publisher waited %v", time.Since(start))
	}
	if b.Stats().SlowClosed != 1 {
		t.Fatalf("stats %+v", b.Stats())
	}
	waitFor(t, "the slow subscriber to leave", func() bool { return b.Stats().Streams == 0 })
	_ = rs
}

// TestBrokerDetachedShutdown: Server.Shutdown ends every detached stream
// (the queued events, then the last chunk) and returns.
func TestBrokerDetachedShutdown(t *testing.T) {
	var b Broker
	addr, srv := detachedServer(t, &b)
	var subs []*rawStream
	for i := 0; i < 20; i++ {
		subs = append(subs, openRaw(t, dialTCP(t, addr), "/"))
	}
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 20 })
	b.Publish("t", &Event{Data: []byte("bye")})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, rs := range subs {
		if body := rs.body(t); body != "id: 1\ndata: bye\n\n" {
			t.Fatalf("body %q", body)
		}
	}
	if st := b.Stats(); st.Streams != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// TestBrokerDetachedFallback: over an in-memory connection (no socket to
// park, detached all the same) events are delivered, and HEAD is
// answered as Serve does.
func TestBrokerDetachedFallback(t *testing.T) {
	var b Broker
	srv := memServer(t, func(ctx *volt.RequestCtx) { b.ServeDetached(ctx, "t") })
	rs := openRaw(t, dialMem(t, srv), "/").start()
	waitFor(t, "subscribed", func() bool { return b.Subscribers("t") == 1 })
	b.Publish("t", &Event{Data: []byte("mem")})
	if e := rs.next(t); string(e.Data) != "mem" {
		t.Fatalf("event %v", e)
	}
	c := dialMem(t, srv)
	io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
	head := make([]byte, 12)
	io.ReadFull(c, head)
	if string(head) != "HTTP/1.1 200" {
		t.Fatalf("HEAD: %q", head)
	}
	c.Close()
}

// TestBrokerDetachedIdleGoroutines: 10,000 idle detached subscribers
// (fewer if the open-file limit cannot hold both ends) hold no goroutine
// each, and all get the next event.
func TestBrokerDetachedIdleGoroutines(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	n := maxConnsForFiles(10000)
	b := Broker{Stream: StreamConfig{KeepAlive: -1}}
	addr, _ := detachedServer(t, &b)
	runtime.GC()
	g0 := runtime.NumGoroutine()
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	const par = 8
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += par {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					return
				}
				conns[i] = c
				io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
				// Wait for the head, so that few server goroutines run at
				// once (the pool keeps its idle workers for a while).
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				var head []byte
				buf := make([]byte, 512)
				for !strings.Contains(string(head), "\r\n\r\n") {
					m, err := c.Read(buf)
					if err != nil {
						t.Error(err)
						return
					}
					head = append(head, buf[:m]...)
				}
			}
		}(w)
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	if t.Failed() {
		return
	}
	waitFor(t, "every subscriber", func() bool { return b.Subscribers("t") == n })
	time.Sleep(100 * time.Millisecond)
	grown := runtime.NumGoroutine() - g0
	t.Logf("%d idle detached subscribers: %d more goroutines", n, grown)
	if grown > n/20 {
		t.Fatalf("%d idle subscribers hold %d goroutines", n, grown)
	}
	b.Publish("t", &Event{Data: []byte("all")})
	for i := 0; i < n; i += n / 50 {
		c := conns[i]
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		var got []byte
		buf := make([]byte, 512)
		for !strings.Contains(string(got), "data: all") {
			m, err := c.Read(buf)
			if err != nil {
				t.Fatalf("conn %d: %q %v", i, got, err)
			}
			got = append(got, buf[:m]...)
		}
	}
}

package sse

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// TestStreamFraming: the head, and the body byte for byte.
func TestStreamFraming(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		s := NewStream(ctx, &StreamConfig{Retry: 2 * time.Second, KeepAlive: -1})
		s.Send(&Event{ID: "1", Type: "greeting", Data: []byte("hello")})
		s.Send(&Event{Data: []byte("two\r\nlines")})
		s.SendComment("a comment")
		s.SendEncoded([]byte("data: pre-encoded\n\n"), 1)
		s.Close()
		if err := s.Run(); err != nil {
			t.Errorf("Run = %v", err)
		}
		if st := s.Stats(); st.Sent != 3 || st.Dropped != 0 {
			t.Errorf("stats %+v", st)
		}
	})
	rs := openRaw(t, dialMem(t, srv), "/")
	h := rs.resp.Header
	if rs.resp.StatusCode != 200 || h.Get("Content-Type") != "text/event-stream" || h.Get("Cache-Control") != "no-cache" ||
		h.Get("X-Accel-Buffering") != "no" || len(rs.resp.TransferEncoding) != 1 || rs.resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("head: %d %v %v", rs.resp.StatusCode, h, rs.resp.TransferEncoding)
	}
	want := "retry: 2000\n" +
		"id: 1\nevent: greeting\ndata: hello\n\n" +
		"data: two\ndata: lines\n\n" +
		": a comment\n" +
		"data: pre-encoded\n\n"
	if got := rs.body(t); got != want {
		t.Fatalf("body\n got %q\nwant %q", got, want)
	}
}

// TestStreamFromAnotherGoroutine: events sent while Run runs arrive one
// by one, as they are sent.
func TestStreamFromAnotherGoroutine(t *testing.T) {
	next := make(chan int)
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		s := NewStream(ctx, nil)
		go func() {
			for i := range next {
				s.Send(&Event{Data: []byte(strings.Repeat("x", i))})
			}
			s.Close()
		}()
		s.Run()
	})
	rs := openRaw(t, dialMem(t, srv), "/").start()
	for i := 1; i <= 5; i++ {
		next <- i
		if e := rs.next(t); string(e.Data) != strings.Repeat("x", i) {
			t.Fatalf("event %d: %q", i, e.Data)
		}
	}
	close(next)
	if _, ok := <-rs.events; ok {
		t.Fatal("stream did not end after Close")
	}
}

func TestStreamKeepAlive(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		s := NewStream(ctx, &StreamConfig{KeepAlive: 30 * time.Millisecond})
		s.Run()
	})
	rs := openRaw(t, dialMem(t, srv), "/")
	buf := make([]byte, 64)
	var got string
	start := time.Now()
	for strings.Count(got, ": keep-alive\n\n") < 3 {
		rs.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := rs.resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		got += string(buf[:n])
	}
	if got != strings.Repeat(": keep-alive\n\n", 3) {
		t.Fatalf("got %q", got)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Fatalf("3 keep-alives in %v", d)
	}
}

// TestStreamKeepAliveOnlyWhenSilent: a stream busier than its keep-alive
// interval sends none.
func TestStreamKeepAliveOnlyWhenSilent(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		s := NewStream(ctx, &StreamConfig{KeepAlive: 100 * time.Millisecond})
		go func() {
			for i := 0; i < 20; i++ {
				s.Send(&Event{Data: []byte("tick")})
				time.Sleep(10 * time.Millisecond)
			}
			s.Close()
		}()
		s.Run()
	})
	rs := openRaw(t, dialMem(t, srv), "/")
	if got := rs.body(t); strings.Contains(got, "keep-alive") || strings.Count(got, "data: tick\n\n") != 20 {
		t.Fatalf("got %q", got)
	}
}

// TestStreamClientGone: a client that closes its connection ends Run
// with volt.ErrClientGone well within a second, on TCP and in memory.
func TestStreamClientGone(t *testing.T) {
	for _, transport := range []string{"tcp", "memory"} {
		t.Run(transport, func(t *testing.T) {
			ended := make(chan error, 1)
			h := func(ctx *volt.RequestCtx) {
				s := NewStream(ctx, &StreamConfig{KeepAlive: -1})
				s.Send(&Event{Data: []byte("hi")})
				ended <- s.Run()
				if s.Send(&Event{}) != ErrStreamClosed {
					t.Error("Send after Run returned did not fail")
				}
			}
			var c net.Conn
			if transport == "tcp" {
				c = dialTCP(t, tcpServer(t, &volt.Server{Handler: h}))
			} else {
				c = dialMem(t, memServer(t, h))
			}
			rs := openRaw(t, c, "/").start()
			if e := rs.next(t); string(e.Data) != "hi" {
				t.Fatalf("got %q", e.Data)
			}
			c.Close()
			start := time.Now()
			select {
			case err := <-ended:
				if !errors.Is(err, volt.ErrClientGone) {
					t.Fatalf("Run = %v", err)
				}
				if d := time.Since(start); d > time.Second {
					t.Fatalf("noticed after %v", d)
				}
			case <-time.After(time.Second):
				t.Fatal("Run still running a second after the client left")
			}
		})
	}
}

// TestStreamServerShutdown: Shutdown ends running streams, which end
// their responses cleanly, and returns promptly.
func TestStreamServerShutdown(t *testing.T) {
	ended := make(chan error, 1)
	s := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		st := NewStream(ctx, nil)
		st.Send(&Event{Data: []byte("hi")})
		ended <- st.Run()
	}}
	addr := tcpServer(t, s)
	rs := openRaw(t, dialTCP(t, addr), "/").start()
	rs.next(t)
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Shutdown took %v", d)
	}
	if err := <-ended; !errors.Is(err, volt.ErrServerClosed) {
		t.Fatalf("Run = %v", err)
	}
	// The chunked body was ended properly.
	if _, ok := <-rs.events; ok {
		t.Fatal("more events")
	}
	if err := <-rs.errc; err != nil {
		t.Fatalf("body ended with %v", err)
	}
}

// slowClient opens a stream on TCP and never reads past the head, so that
// the socket buffers fill and the server's writes block.
func slowClient(t *testing.T, addr string) net.Conn {
	c := dialTCP(t, addr)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	t.Cleanup(func() { c.Close() }) // also keeps c from being collected, and closed, early
	return c
}

// TestStreamSlowClientClose: past the buffer limit, OverflowClose ends the
// stream; the queue never grows past the limit.
func TestStreamSlowClientClose(t *testing.T) {
	const limit = 64 << 10
	result := make(chan error, 1)
	var stream *Stream
	ready := make(chan struct{})
	srv := &volt.Server{WriteTimeout: 300 * time.Millisecond, WriteBufferSize: 4096, Handler: func(ctx *volt.RequestCtx) {
		stream = NewStream(ctx, &StreamConfig{BufferLimit: limit, KeepAlive: -1})
		close(ready)
		result <- stream.Run()
	}}
	slowClient(t, tcpServer(t, srv))
	<-ready
	ev := &Event{Data: []byte(strings.Repeat("x", 1000))}
	var err error
	sent := 0
	for i := 0; i < 100000 && err == nil; i++ {
		err = stream.Send(ev)
		if st := stream.Stats(); st.Buffered > limit {
			t.Fatalf("queued %d bytes past the %d limit", st.Buffered, limit)
		}
		sent++
	}
	if err != ErrSlowClient {
		t.Fatalf("Send = %v after %d events", err, sent)
	}
	if err := stream.Send(ev); err != ErrStreamClosed {
		t.Fatalf("Send after the overflow = %v", err)
	}
	select {
	case err := <-result:
		if err != ErrSlowClient {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return: the blocked write should time out")
	}
}

// TestStreamSlowClientDrop: OverflowDrop drops and counts events past the
// limit, and the stream goes on once the client reads again.
func TestStreamSlowClientDrop(t *testing.T) {
	const limit = 16 << 10
	var stream *Stream
	ready := make(chan struct{})
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		stream = NewStream(ctx, &StreamConfig{BufferLimit: limit, Overflow: OverflowDrop, KeepAlive: -1})
		close(ready)
		stream.Run()
	}}
	c := slowClient(t, tcpServer(t, srv))
	<-ready
	ev := &Event{Data: []byte(strings.Repeat("y", 1000))}
	dropped := 0
	for i := 0; i < 20000 && dropped < 10; i++ {
		switch err := stream.Send(ev); err {
		case nil:
		case ErrSlowClient:
			dropped++
		default:
			t.Fatalf("Send = %v", err)
		}
	}
	if dropped < 10 {
		t.Fatal("no event dropped")
	}
	if st := stream.Stats(); st.Dropped != int64(dropped) || st.Buffered > limit {
		t.Fatalf("stats %+v, dropped %d", st, dropped)
	}
	// The client reads again: the stream is alive, and the next event
	// arrives after the backlog.
	go io.Copy(io.Discard, c)
	waitFor(t, "the backlog to drain", func() bool { return stream.Stats().Buffered == 0 })
	if err := stream.Send(&Event{Data: []byte("after")}); err != nil {
		t.Fatalf("Send after draining = %v", err)
	}
	stream.Close()
	<-stream.Done()
}

// TestSend: the convenience function streams from the handler's own loop.
func TestSend(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		for i := 1; i <= 3; i++ {
			if err := Send(ctx, &Event{ID: strings.Repeat("i", i), Data: []byte("n")}); err != nil {
				t.Error(err)
				return
			}
		}
		if err := Send(ctx, &Event{ID: "bad\n"}); err != ErrInvalidID {
			t.Errorf("invalid ID: %v", err)
		}
	})
	rs := openRaw(t, dialMem(t, srv), "/")
	if rs.resp.Header.Get("Content-Type") != "text/event-stream" || rs.resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("head %v", rs.resp.Header)
	}
	if got, want := rs.body(t), "id: i\ndata: n\n\nid: ii\ndata: n\n\nid: iii\ndata: n\n\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestStreamHEAD(t *testing.T) {
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		s := NewStream(ctx, nil)
		s.Send(&Event{Data: []byte("x")})
		if err := s.Run(); err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	c := dialMem(t, srv)
	io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
	buf := make([]byte, 1024)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(buf)
	if err != nil || !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200 OK\r\n") || !strings.Contains(string(buf[:n]), "Content-Type: text/event-stream\r\n") {
		t.Fatalf("%q %v", buf[:n], err)
	}
}

// TestSendPoolsOnlySmallBuffers: the encoding buffer of a large event is
// not kept in the pool, where it would hold its memory for good.
func TestSendPoolsOnlySmallBuffers(t *testing.T) {
	got := make(chan int, 1)
	srv := memServer(t, func(ctx *volt.RequestCtx) {
		Send(ctx, &Event{Data: make([]byte, 1<<20)})
		bp := encPool.Get().(*[]byte)
		got <- cap(*bp)
		encPool.Put(bp)
	})
	rs := openRaw(t, dialMem(t, srv), "/")
	go io.Copy(io.Discard, rs.resp.Body)
	select {
	case c := <-got:
		if c > maxPooledEnc {
			t.Fatalf("a pooled buffer of %d bytes", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not run")
	}
}

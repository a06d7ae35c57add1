package volt

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// detachServer serves "/d" with HijackDetached, handing each Detached to
// got, and counts connection states.
func detachServer(got chan<- *Detached, status int) (*Server, *stateLog) {
	sl := &stateLog{}
	s := &Server{ConnState: sl.add, Handler: func(ctx *RequestCtx) {
		if status != 0 {
			ctx.SetStatusCode(status)
		}
		if status == StatusSwitchingProtocols {
			ctx.Response.Header.Set("Upgrade", "test")
			ctx.Response.Header.Set("Connection", "Upgrade")
		}
		ctx.HijackDetached(func(d *Detached) { got <- d })
	}}
	return s, sl
}

type stateLog struct {
	mu     sync.Mutex
	states []ConnState
}

func (l *stateLog) add(_ net.Conn, st ConnState) {
	l.mu.Lock()
	l.states = append(l.states, st)
	l.mu.Unlock()
}

func (l *stateLog) last() ConnState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.states[len(l.states)-1]
}

// TestHijackDetachedOutlivesHandler: the connection stays open and
// counted after the DetachedHandler returns, carries the bytes read past
// the request, and leaves the counts on Close.
func TestHijackDetachedOutlivesHandler(t *testing.T) {
	got := make(chan *Detached, 1)
	s, sl := detachServer(got, StatusSwitchingProtocols)
	c := dialTransport(t, s, true)
	// The request and, in the same write, bytes of the new protocol.
	if _, err := io.WriteString(c, "GET /d HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\nhello"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("response %v, %v", resp, err)
	}
	d := <-got
	// The handler returned: give the serving goroutine time to finish.
	time.Sleep(20 * time.Millisecond)
	if st := s.Stats(); st.OpenConns != 1 || st.HijackedConns != 1 {
		t.Fatalf("stats %+v, want 1 open, 1 hijacked", st)
	}
	if st := sl.last(); st != StateHijacked {
		t.Fatalf("state %v, want hijacked", st)
	}
	pending := string(d.Pending())
	rest := make([]byte, 5-len(pending))
	if _, err := io.ReadFull(d.Conn(), rest); err != nil {
		t.Fatal(err)
	}
	if pending+string(rest) != "hello" {
		t.Fatalf("read %q+%q, want hello", pending, rest)
	}
	if d.Pending() != nil {
		t.Fatal("Pending returned the bytes twice")
	}
	if _, err := d.Conn().Write([]byte("world")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 5)
	if _, err := io.ReadFull(br, b); err != nil || string(b) != "world" {
		t.Fatalf("client read %q, %v", b, err)
	}
	d.Close()
	d.Close()
	if st := s.Stats(); st.OpenConns != 0 || st.HijackedConns != 0 {
		t.Fatalf("stats after Close %+v, want none open", st)
	}
	if st := sl.last(); st != StateClosed {
		t.Fatalf("state %v, want closed", st)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("client read after Close: %v, want EOF", err)
	}
}

// TestHijackDetachedChunkedBody: a 200 response sends its head for a
// chunked body that the owner writes.
func TestHijackDetachedChunkedBody(t *testing.T) {
	got := make(chan *Detached, 1)
	s, _ := detachServer(got, StatusOK)
	c := dialTransport(t, s, true)
	io.WriteString(c, "GET /d HTTP/1.1\r\nHost: x\r\n\r\n")
	d := <-got
	if !d.Chunked() {
		t.Fatal("Chunked() = false for an HTTP/1.1 200")
	}
	io.WriteString(d.Conn(), "5\r\nhello\r\n0\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "hello" || resp.TransferEncoding[0] != "chunked" {
		t.Fatalf("body %q, %v, %v", body, err, resp.TransferEncoding)
	}
	d.Close()
}

// TestHijackDetachedShutdown: Shutdown calls OnShutdown once and waits
// for Close; Close notifies too, with the connection closed.
func TestHijackDetachedShutdown(t *testing.T) {
	for _, how := range []string{"Shutdown", "Close"} {
		t.Run(how, func(t *testing.T) {
			got := make(chan *Detached, 1)
			s, _ := detachServer(got, StatusSwitchingProtocols)
			c := dialTransport(t, s, true)
			io.WriteString(c, "GET /d HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
			d := <-got
			calls := make(chan struct{}, 4)
			d.OnShutdown(func() {
				calls <- struct{}{}
				if how == "Shutdown" {
					d.Conn().Write([]byte("bye"))
				}
				d.Close()
			})
			if how == "Close" {
				s.Close()
			} else {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := s.Shutdown(ctx); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case <-calls:
			case <-time.After(5 * time.Second):
				t.Fatal("OnShutdown not called")
			}
			waitFor(t, "the connection to leave the counts", func() bool { return s.Stats().OpenConns == 0 })
			b, _ := io.ReadAll(bufio.NewReader(c))
			if how == "Shutdown" && !strings.HasSuffix(string(b), "bye") {
				t.Fatalf("client read %q, want the goodbye", b)
			}
			if len(calls) != 0 {
				t.Fatal("OnShutdown called more than once")
			}
		})
	}
}

// TestHijackDetachedOnShutdownLate: OnShutdown set after the server
// started shutting down is called at once.
func TestHijackDetachedOnShutdownLate(t *testing.T) {
	got := make(chan *Detached, 1)
	s, _ := detachServer(got, StatusSwitchingProtocols)
	c := dialTransport(t, s, true)
	io.WriteString(c, "GET /d HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
	d := <-got
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	waitFor(t, "shutdown", func() bool { return s.shutting.Load() })
	time.Sleep(30 * time.Millisecond)
	called := make(chan struct{})
	d.OnShutdown(func() { close(called); d.Close() })
	<-called
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestHijackDetachedPanic: a panicking DetachedHandler closes its
// connection.
func TestHijackDetachedPanic(t *testing.T) {
	s := &Server{Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		ctx.SetStatusCode(StatusSwitchingProtocols)
		ctx.HijackDetached(func(d *Detached) { panic("boom") })
	}}
	c := dialTransport(t, s, true)
	io.WriteString(c, "GET /d HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
	b, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(b), "HTTP/1.1 101") {
		t.Fatalf("read %q", b)
	}
	waitFor(t, "close", func() bool { return s.Stats().OpenConns == 0 && s.Stats().HijackedConns == 0 })
}

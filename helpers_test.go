package volt

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/memconn"
)

// testServer starts s on an in-memory listener and closes it when the
// test ends.
func testServer(t testing.TB, s *Server) *memconn.Listener {
	t.Helper()
	ln := memconn.NewListener()
	serveOn(t, s, ln)
	return ln
}

// serveOn serves ln with s until the test ends.
func serveOn(t testing.TB, s *Server, ln net.Listener) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		_ = s.Serve(ln)
		close(done)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-done
	})
}

// testTCPServer starts s on 127.0.0.1 and returns its address.
func testTCPServer(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = s.Serve(ln)
		close(done)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-done
	})
	return ln.Addr().String()
}

func dial(t testing.TB, ln *memconn.Listener) net.Conn {
	t.Helper()
	c, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// exchange writes raw to c and reads one response with net/http's parser.
func exchange(t testing.TB, c net.Conn, br *bufio.Reader, raw string) (*http.Response, string) {
	t.Helper()
	if raw != "" {
		if _, err := io.WriteString(c, raw); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(body)
}

// expectClosed checks that the server closes c (reads EOF) soon.
func expectClosed(t testing.TB, c net.Conn, br *bufio.Reader) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, err := br.ReadByte()
	if err == nil {
		rest, _ := br.Peek(br.Buffered())
		t.Fatalf("connection still open: read %q%q", b, rest)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("connection not closed by the server")
	}
}

func get(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: example.com\r\n\r\n"
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// rawTCPServer listens on 127.0.0.1, serves each connection with serve in
// its own goroutine (with a 10 s deadline, closed when serve returns) and
// counts the connections accepted. Cleanup closes the listener and waits
// for every goroutine.
func rawTCPServer(t testing.TB, serve func(c net.Conn)) (addr string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int32)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				serve(c)
			}()
		}
	}()
	return ln.Addr().String(), accepted
}

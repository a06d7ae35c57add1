package volt

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDefaultWriteTimeout: a response write has a deadline unless the
// server says otherwise (a client that stops reading must not hold a
// connection forever).
func TestDefaultWriteTimeout(t *testing.T) {
	var s Server
	if d := s.writeTimeout(); DefaultWriteTimeout != 60*time.Second || d != DefaultWriteTimeout {
		t.Errorf("write timeout %v", d)
	}
	s.WriteTimeout = -1
	if d := s.writeTimeout(); d != 0 {
		t.Errorf("negative write timeout gives %v, want none", d)
	}
}

// TestWriteTimeoutStalledReader: a client that never reads its large
// response is cut off after WriteTimeout, and the server goes on serving
// others.
func TestWriteTimeoutStalledReader(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 64<<20)
	returned := make(chan struct{}, 1)
	s := &Server{WriteTimeout: 200 * time.Millisecond, Logger: discardLogger(),
		ConnState: func(_ net.Conn, st ConnState) {
			if st == StateClosed {
				select {
				case returned <- struct{}{}:
				default:
				}
			}
		},
		Handler: func(ctx *RequestCtx) {
			if string(ctx.Path()) == "/big" {
				ctx.SetBody(body)
				return
			}
			ctx.SetBodyString("ok")
		}}
	addr := testTCPServer(t, s)
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	_ = stalled.(*net.TCPConn).SetReadBuffer(4096)
	if _, err := io.WriteString(stalled, get("/big")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection of a client that stopped reading was not closed")
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, b := exchange(t, c, bufio.NewReader(c), get("/")); b != "ok" {
		t.Fatalf("next client got %q", b)
	}
}

// TestWriteTimeoutRenewedPerPiece: WriteTimeout bounds each write, not
// the whole response: a slow but steady client receives a body that takes
// several times WriteTimeout to send, whether it is buffered, a stream or
// a file.
func TestWriteTimeoutRenewedPerPiece(t *testing.T) {
	const size = 24 << 20
	body := bytes.Repeat([]byte("y"), size)
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{WriteTimeout: 400 * time.Millisecond, Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		switch string(ctx.Path()) {
		case "/buffered":
			ctx.SetBody(body)
		case "/stream":
			ctx.Response.SetBodyStream(bytes.NewReader(body), size)
		case "/file":
			if err := ctx.Response.SendFile(path); err != nil {
				t.Error(err)
			}
		}
	}}
	addr := testTCPServer(t, s)
	for _, p := range []string{"/buffered", "/stream", "/file"} {
		t.Run(p[1:], func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.(*net.TCPConn).SetReadBuffer(64 << 10)
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := io.WriteString(c, get(p)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			// 1 MiB per 100 ms: about 2.4 s in all, six times WriteTimeout,
			// but 256 KiB every 25 ms.
			start := time.Now()
			buf := make([]byte, 64<<10)
			var n int
			for {
				m, err := io.ReadFull(resp.Body, buf)
				n += m
				if err != nil {
					break
				}
				if n%(1<<20) == 0 {
					time.Sleep(100 * time.Millisecond)
				}
			}
			if n != size {
				t.Fatalf("read %d of %d bytes in %v: cut off by the write deadline", n, size, time.Since(start))
			}
			if time.Since(start) < 2*s.WriteTimeout {
				t.Fatalf("transfer took %v: too fast to test the per-piece deadline", time.Since(start))
			}
		})
	}
}

// TestWriteTimeoutStalledReaderSmallResponses: responses small enough to
// be written without a deadline while the socket takes them still meet
// WriteTimeout once it stops taking them: a client that pipelines requests
// and never reads is cut off.
func TestWriteTimeoutStalledReaderSmallResponses(t *testing.T) {
	body := bytes.Repeat([]byte("s"), 2000)
	returned := make(chan struct{}, 1)
	s := &Server{WriteTimeout: 200 * time.Millisecond, Logger: discardLogger(),
		ConnState: func(_ net.Conn, st ConnState) {
			if st == StateClosed {
				select {
				case returned <- struct{}{}:
				default:
				}
			}
		},
		Handler: func(ctx *RequestCtx) { ctx.SetBody(body) }}
	addr := testTCPServer(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.(*net.TCPConn).SetReadBuffer(4096)
	// About 40 MB of responses: far more than the socket buffers hold.
	reqs := []byte(strings.Repeat(get("/"), 20000))
	go func() { _, _ = c.Write(reqs) }()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection of a client that stopped reading small responses was not closed")
	}
}

// TestWriteTimeoutAfterSlowWrite: once a write had to wait under a
// deadline, later responses on the connection still go out when that
// deadline has passed.
func TestWriteTimeoutAfterSlowWrite(t *testing.T) {
	const size = 8 << 20
	body := bytes.Repeat([]byte("z"), size)
	s := &Server{WriteTimeout: 300 * time.Millisecond, Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/big" {
			ctx.SetBody(body)
			return
		}
		ctx.SetBodyString("ok")
	}}
	addr := testTCPServer(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	if _, err := io.WriteString(c, get("/big")); err != nil {
		t.Fatal(err)
	}
	// Wait long enough for the server to block on a full socket, then
	// read it all.
	time.Sleep(100 * time.Millisecond)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != size {
		t.Fatalf("big body: %d bytes, %v", n, err)
	}
	// The deadline of the last slow write has passed.
	time.Sleep(2 * s.WriteTimeout)
	for i := 0; i < 3; i++ {
		if _, b := exchange(t, c, br, get("/")); b != "ok" {
			t.Fatalf("request %d after the slow write: got %q", i, b)
		}
	}
}

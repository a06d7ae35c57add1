//go:build !race

package volt

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// TestServeAllocs: serving a keep-alive GET with 10 headers and a small body
// allocates nothing per request in steady state.
func TestServeAllocs(t *testing.T) {
	addr := testTCPServer(t, &Server{Handler: allocHandler})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte(browserGET)
	buf := make([]byte, 4096)
	// The first response tells the length of every response (the Date
	// header has a fixed width).
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(buf[:n], []byte(`"page":2}`)) {
		t.Fatalf("response %q", buf[:n])
	}
	respLen := n
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:respLen]); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		roundTrip()
	}
	if allocs := testing.AllocsPerRun(1000, roundTrip); allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
}

// TestServeLargeBodyAllocs: a body larger than the write buffer goes out
// with its head in one writev, and that allocates nothing either; nor
// does setting a header field from a buffer on the handler's stack.
func TestServeLargeBodyAllocs(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 3*DefaultWriteBufferSize)
	addr := testTCPServer(t, &Server{Handler: func(ctx *RequestCtx) {
		var v [8]byte
		ctx.Response.Header.SetBytes([]byte("X-Stack"), append(v[:0], "abc"...))
		ctx.Write(body)
	}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	head := len("HTTP/1.1 200 OK\r\nServer: volt\r\nDate: Mon, 02 Jan 2006 15:04:05 GMT\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 12288\r\nX-Stack: abc\r\n\r\n")
	buf := make([]byte, head+len(body))
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		roundTrip()
	}
	if !bytes.HasSuffix(buf, body[:100]) {
		t.Fatalf("response %q", buf[:head])
	}
	if allocs := testing.AllocsPerRun(1000, roundTrip); allocs != 0 {
		t.Fatalf("%v allocations per request, want 0", allocs)
	}
}

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

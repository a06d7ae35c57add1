//go:build unix

package idleread

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

func pair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestWait: no buffer is taken while nothing arrives; the data arrives in
// a pooled buffer; EOF, deadlines and non-socket conns are reported.
func TestWait(t *testing.T) {
	client, server := pair(t)
	gets, puts := 0, 0
	r := New(server, func() []byte { gets++; return make([]byte, 64) }, func([]byte) { puts++ })
	if r == nil {
		t.Fatal("no Reader for a TCP conn")
	}
	go func() {
		time.Sleep(30 * time.Millisecond)
		client.Write([]byte("hello"))
	}()
	buf, n, err := r.Wait()
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("%q %v", buf[:n], err)
	}
	// Every buffer taken while waiting went back, but the one returned.
	if gets-puts != 1 {
		t.Fatalf("%d buffers taken, %d given back", gets, puts)
	}

	server.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	if _, _, err := r.Wait(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	if gets != puts+1 {
		t.Fatalf("a timed-out wait kept a buffer: %d taken, %d given back", gets, puts)
	}
	server.SetReadDeadline(time.Time{})
	client.Close()
	if _, n, err := r.Wait(); n != 0 || err != io.EOF {
		t.Fatalf("after the peer closed: %d %v", n, err)
	}

	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if New(a, nil, nil) != nil {
		t.Fatal("a Reader for a conn without a socket")
	}
}

//go:build unix

package idleread

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
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

// TestHold: the callback reads, answers, and returns false after a short
// read; the next bytes call it again without a read that finds nothing,
// including bytes that arrived while it was answering. The deadline ends
// the wait.
func TestHold(t *testing.T) {
	client, server := pair(t)
	r := New(server, nil, nil)
	buf := make([]byte, 64)
	var got []string
	empty := 0
	done := make(chan error, 1)
	go func() {
		done <- r.Hold(func(fd uintptr) bool {
			for {
				n, err := syscall.Read(int(fd), buf)
				if err == syscall.EINTR {
					continue
				}
				if err == syscall.EAGAIN {
					empty++
					return false
				}
				if n <= 0 {
					return true
				}
				got = append(got, string(buf[:n]))
				if string(buf[:n]) == "slow" {
					// Bytes that arrive while the callback works
					// still wake the wait that follows.
					client.Write([]byte("during"))
					time.Sleep(20 * time.Millisecond)
				}
				if _, err := syscall.Write(int(fd), buf[:n]); err != nil {
					return true
				}
				if n < len(buf) {
					return false
				}
			}
		})
	}()
	echo := make([]byte, 64)
	for _, m := range []string{"one", "two", "three"} {
		client.Write([]byte(m))
		if n, err := client.Read(echo); err != nil || string(echo[:n]) != m {
			t.Fatalf("echo %q, %v", echo[:n], err)
		}
	}
	client.Write([]byte("slow"))
	want := "slowduring"
	var have []byte
	for len(have) < len(want) {
		n, err := client.Read(echo)
		if err != nil {
			t.Fatal(err)
		}
		have = append(have, echo[:n]...)
	}
	if string(have) != want {
		t.Fatalf("echo %q, want %q", have, want)
	}
	client.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[4] != "during" {
		t.Fatalf("reads %q", got)
	}
	// The first call's read may find nothing, and a stale readiness
	// event may cost one more; no other wake-up finds nothing.
	if empty > 2 {
		t.Fatalf("%d reads found nothing", empty)
	}

	client2, server2 := pair(t)
	_ = client2
	r2 := New(server2, nil, nil)
	server2.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	err := r2.Hold(func(fd uintptr) bool { return false })
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
}

//go:build unix

package prefork

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// sharedListener returns a TCP listener and an inheritedListener on a
// duplicate of its socket (one open file description, as between the
// prefork parent and its children).
func sharedListener(t *testing.T) (net.Listener, *inheritedListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var dup int
	var derr error
	if err := rc.Control(func(fd uintptr) { dup, derr = syscall.Dup(int(fd)) }); err != nil || derr != nil {
		t.Fatal(err, derr)
	}
	il, err := newInheritedListener(dup)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { il.Close() })
	return ln, il
}

// nonBlocking reports whether ln's socket has O_NONBLOCK set.
func nonBlocking(t *testing.T, ln net.Listener) bool {
	t.Helper()
	rc, _ := ln.(*net.TCPListener).SyscallConn()
	var flags uintptr
	var errno syscall.Errno
	rc.Control(func(fd uintptr) {
		flags, _, errno = syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
	})
	if errno != 0 {
		t.Fatal(errno)
	}
	return flags&syscall.O_NONBLOCK != 0
}

// TestInheritedListener: connections are accepted as TCP conns with
// their addresses, the shared socket is never made blocking, and Close
// ends a waiting Accept with net.ErrClosed.
func TestInheritedListener(t *testing.T) {
	ln, il := sharedListener(t)
	if il.Addr().String() != ln.Addr().String() {
		t.Fatalf("Addr %v, want %v", il.Addr(), ln.Addr())
	}
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c, err := il.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.(*net.TCPConn); !ok {
		t.Fatalf("accepted a %T, want *net.TCPConn", c)
	}
	if c.RemoteAddr().String() != client.LocalAddr().String() {
		t.Fatalf("RemoteAddr %v, want %v", c.RemoteAddr(), client.LocalAddr())
	}
	if _, err := io.WriteString(client, "ping"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if !nonBlocking(t, ln) {
		t.Fatal("the shared socket became blocking")
	}

	errc := make(chan error, 1)
	go func() {
		_, err := il.Accept()
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond) // Accept waits in the poller
	il.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end a waiting Accept")
	}
	if !nonBlocking(t, ln) {
		t.Fatal("the shared socket became blocking")
	}
}

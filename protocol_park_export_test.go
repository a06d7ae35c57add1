package volt

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// parkEcho is a registered protocol that echoes what it reads and parks
// between reads, as a protocol using ServerConn.Park does.
type parkEcho struct {
	idle    time.Duration
	resumes atomic.Int32
}

const parkEchoPreface = "ECHO\n"

func (p *parkEcho) ServeConn(c *ServerConn) error {
	var pre [len(parkEchoPreface)]byte
	if _, err := io.ReadFull(c, pre[:]); err != nil {
		return err
	}
	if _, err := c.Write([]byte("OK\n")); err != nil {
		return err
	}
	e := &parkEchoConn{p: p, c: c}
	return e.park()
}

type parkEchoConn struct {
	p   *parkEcho
	c   *ServerConn
	buf [64]byte
}

func (e *parkEchoConn) park() error {
	until := time.Time{}
	if e.p.idle > 0 {
		until = time.Now().Add(e.p.idle)
	}
	_ = e.c.NetConn().SetReadDeadline(until)
	if !e.c.Park(until, e.resume) {
		return errNotParked
	}
	return ErrParked
}

func (e *parkEchoConn) resume() error {
	e.p.resumes.Add(1)
	if e.c.ShuttingDown() {
		return ErrServerClosed
	}
	n, err := e.c.Read(e.buf[:])
	if err != nil {
		return err
	}
	if _, err := e.c.Write(e.buf[:n]); err != nil {
		return err
	}
	return e.park()
}

// startParkEcho serves p on a loopback listener and returns its address.
func startParkEcho(t *testing.T, srv *Server, p *parkEcho) string {
	t.Helper()
	srv.RegisterProtocol("echo", p)
	srv.RegisterPreface(parkEchoPreface, "echo")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// dialParkEcho connects and reads the protocol's greeting.
func dialParkEcho(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, parkEchoPreface); err != nil {
		t.Fatal(err)
	}
	var ok [3]byte
	if _, err := io.ReadFull(c, ok[:]); err != nil || string(ok[:]) != "OK\n" {
		t.Fatalf("greeting %q, %v", ok, err)
	}
	return c
}

func echoOnce(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
		t.Fatalf("echo %q, %v; want %q", got, err, msg)
	}
}

// expectEOF checks that the server closes c within d.
func expectEOF(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(d))
	if n, err := io.Copy(io.Discard, c); err != nil || n != 0 {
		t.Fatalf("read %d bytes, %v; want the connection closed", n, err)
	}
}

// TestServerConnParkResumes checks that a protocol's parked connection is
// resumed by the bytes that come, each time, with its state kept.
func TestServerConnParkResumes(t *testing.T) {
	p := &parkEcho{}
	addr := startParkEcho(t, &Server{}, p)
	c := dialParkEcho(t, addr)
	for _, msg := range []string{"one", "two", "three"} {
		time.Sleep(20 * time.Millisecond)
		echoOnce(t, c, msg)
	}
	if n := p.resumes.Load(); n < 3 {
		t.Fatalf("resumed %d times, want 3", n)
	}
}

// TestServerConnParkIdle checks that a parked connection is resumed when
// the deadline given to Park passes; its read then times out, and the
// server closes it.
func TestServerConnParkIdle(t *testing.T) {
	p := &parkEcho{idle: 100 * time.Millisecond}
	addr := startParkEcho(t, &Server{}, p)
	c := dialParkEcho(t, addr)
	start := time.Now()
	expectEOF(t, c, 3*time.Second)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("closed after %v, want about 100ms", d)
	}
}

// TestServerConnParkShutdown checks that Shutdown and Close reach parked
// connections: each is resumed, and the server closes it.
func TestServerConnParkShutdown(t *testing.T) {
	for _, useClose := range []bool{false, true} {
		srv := &Server{}
		addr := startParkEcho(t, srv, &parkEcho{})
		cs := []net.Conn{dialParkEcho(t, addr), dialParkEcho(t, addr), dialParkEcho(t, addr)}
		time.Sleep(20 * time.Millisecond)
		if useClose {
			_ = srv.Close()
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := srv.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			cancel()
		}
		for _, c := range cs {
			expectEOF(t, c, 3*time.Second)
		}
	}
}

// TestServerConnParkRefused checks that Park reports false while bytes
// read ahead wait in the ServerConn.
func TestServerConnParkRefused(t *testing.T) {
	c := &ServerConn{srv: &Server{}, pending: []byte("x")}
	if c.Park(time.Time{}, func() error { return nil }) {
		t.Fatal("Park accepted a connection with bytes read ahead")
	}
}

package bench

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

func TestPipeReadWrite(t *testing.T) {
	a, b := NewPipe(nil, nil)
	defer a.Close()
	defer b.Close()
	// Writes do not wait for the reader.
	for _, s := range []string{"hello ", "world"} {
		if n, err := a.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	buf := make([]byte, 64)
	n, err := b.Read(buf)
	if err != nil || string(buf[:n]) != "hello world" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
}

func TestPipeCloseGivesEOF(t *testing.T) {
	a, b := NewPipe(nil, nil)
	_, _ = a.Write([]byte("last"))
	_ = a.Close()
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "last" {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	if _, err := b.Write([]byte("x")); err == nil {
		t.Fatal("Write to a closed peer succeeded")
	}
	if _, err := a.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close: %v, want net.ErrClosed", err)
	}
}

func TestPipeReadDeadline(t *testing.T) {
	a, b := NewPipe(nil, nil)
	defer a.Close()
	defer b.Close()
	_ = b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	start := time.Now()
	_, err := b.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read: %v, want os.ErrDeadlineExceeded", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("%v is not a net.Error timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Read returned after %v", d)
	}

	// A deadline in the past wakes a blocked reader (net/http's background
	// read is stopped this way).
	_ = b.SetReadDeadline(time.Time{})
	done := make(chan error)
	go func() {
		_, err := b.Read(make([]byte, 1))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	_ = b.SetReadDeadline(time.Unix(1, 0))
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a past deadline did not wake the reader")
	}

	// Clearing the deadline makes the pipe usable again.
	_ = b.SetReadDeadline(time.Time{})
	_, _ = a.Write([]byte("x"))
	if n, err := b.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatalf("Read after clearing the deadline = %d, %v", n, err)
	}
}

func TestInmemListener(t *testing.T) {
	ln := NewInmemListener()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		_, _ = io.Copy(c, c)
		_ = c.Close()
	}()
	c, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("ping"))
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo = %q, %v", buf, err)
	}
	_ = c.Close()
	_ = ln.Close()
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v", err)
	}
	if _, err := ln.Dial(); err == nil {
		t.Fatal("Dial after Close succeeded")
	}
}

func TestResponseReader(t *testing.T) {
	a, b := NewPipe(nil, nil)
	defer a.Close()
	rr := NewResponseReader(b, 16) // small: forces growth and compaction
	go func() {
		for _, s := range []string{
			"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
			"loHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
			"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\n0123456789012345678901234567890123456789",
		} {
			_, _ = a.Write([]byte(s))
			time.Sleep(time.Millisecond)
		}
	}()
	want := []struct {
		status int
		body   string
	}{{200, "hello"}, {404, ""}, {200, "0123456789012345678901234567890123456789"}}
	for i, w := range want {
		resp, err := rr.Next()
		if err != nil || resp.Status != w.status || string(resp.Body) != w.body {
			t.Fatalf("response %d = %d %q, %v; want %d %q", i, resp.Status, resp.Body, err, w.status, w.body)
		}
	}
}

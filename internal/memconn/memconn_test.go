package memconn

import (
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

func TestPairReadWrite(t *testing.T) {
	a, b := Pair()
	if _, err := a.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Write([]byte(" world")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := b.Read(buf)
	if err != nil || string(buf[:n]) != "hello world" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	_ = a.CloseWrite()
	if _, err := b.Read(buf); err != io.EOF {
		t.Fatalf("after CloseWrite: %v", err)
	}
}

func TestReadDeadline(t *testing.T) {
	_, b := Pair()
	_ = b.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	start := time.Now()
	_, err := b.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Fatal("deadline too late")
	}
	// A deadline moved into the past wakes a blocked reader.
	_ = b.SetReadDeadline(time.Time{})
	done := make(chan error)
	go func() { _, err := b.Read(make([]byte, 1)); done <- err }()
	time.Sleep(10 * time.Millisecond)
	_ = b.SetReadDeadline(time.Unix(1, 0))
	if err := <-done; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func TestListener(t *testing.T) {
	l := NewListener()
	go func() {
		c, err := l.Accept()
		if err == nil {
			_, _ = c.Write([]byte("x"))
		}
	}()
	c, err := l.Dial()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := c.Read(b); err != nil || b[0] != 'x' {
		t.Fatal(err)
	}
	_ = l.Close()
	if _, err := l.Dial(); err == nil {
		t.Fatal("Dial after Close succeeded")
	}
	if _, err := l.Accept(); err == nil {
		t.Fatal("Accept after Close succeeded")
	}
}

// TestWriteDeadline: writes fail with os.ErrDeadlineExceeded once the
// write deadline passed, and work again when it is moved or cleared; a
// deadline moved later than a timer already armed is honoured.
func TestWriteDeadline(t *testing.T) {
	a, b := Pair()
	defer a.Close()
	defer b.Close()
	write := func() error { _, err := a.Write([]byte("x")); return err }
	_ = a.SetWriteDeadline(time.Now().Add(30 * time.Millisecond))
	if err := write(); err != nil {
		t.Fatalf("before the deadline: %v", err)
	}
	time.Sleep(60 * time.Millisecond)
	if err := write(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("after the deadline: %v", err)
	}
	_ = a.SetWriteDeadline(time.Time{})
	if err := write(); err != nil {
		t.Fatalf("deadline cleared: %v", err)
	}
	_ = a.SetWriteDeadline(time.Now().Add(-time.Second))
	if err := write(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("deadline in the past: %v", err)
	}
	_ = a.SetWriteDeadline(time.Now().Add(20 * time.Millisecond))
	_ = a.SetWriteDeadline(time.Now().Add(time.Hour))
	time.Sleep(50 * time.Millisecond)
	if err := write(); err != nil {
		t.Fatalf("deadline moved later: %v", err)
	}
}

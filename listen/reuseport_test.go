package listen

import (
	"net"
	"testing"
	"time"
)

// TestReusePort binds two listeners to one port and checks that both
// accept connections.
func TestReusePort(t *testing.T) {
	if !reusePortSupported {
		t.Skip("no SO_REUSEPORT here")
	}
	a, err := ReusePort("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := ReusePort("tcp", a.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if l, err := net.Listen("tcp4", a.Addr().String()); err == nil {
		l.Close()
		t.Fatal("a socket without SO_REUSEPORT bound the port too")
	}
	got := make(chan int, 1000)
	for i, ln := range []net.Listener{a, b} {
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
				got <- i
			}
		}()
	}
	var seen [2]int
	for n := 0; n < 500 && (seen[0] == 0 || seen[1] == 0); n++ {
		c, err := net.Dial("tcp4", a.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		select {
		case i := <-got:
			seen[i]++
		case <-time.After(5 * time.Second):
			t.Fatal("no accept")
		}
	}
	if seen[0] == 0 || seen[1] == 0 {
		t.Fatalf("accepts per listener: %v", seen)
	}
}

func TestReusePortNetwork(t *testing.T) {
	for _, n := range []string{"udp", "unix", ""} {
		if _, err := ReusePort(n, "127.0.0.1:0"); err != ErrNetwork {
			t.Errorf("%q: %v", n, err)
		}
	}
}

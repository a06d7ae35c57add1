//go:build linux

package hupwatch

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func pair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

type target struct {
	gone chan struct{}
	n    atomic.Int32
}

func newTarget() *target { return &target{gone: make(chan struct{}, 8)} }

func (t *target) PeerGone() { t.n.Add(1); t.gone <- struct{}{} }

func (t *target) wait(d time.Duration) bool {
	select {
	case <-t.gone:
		return true
	case <-time.After(d):
		return false
	}
}

// TestPeerClose: the peer closing (FIN) or resetting (RST) the connection
// is reported once; data arriving is not.
func TestPeerClose(t *testing.T) {
	for _, how := range []string{"close", "reset", "half-close"} {
		t.Run(how, func(t *testing.T) {
			client, server := pair(t)
			tg := newTarget()
			hc := NewConn(server)
			if hc == nil || !hc.Watch(tg) {
				t.Fatal("a TCP connection cannot be watched")
			}
			defer hc.Close()
			client.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
			if tg.wait(50 * time.Millisecond) {
				t.Fatal("data arriving was reported as the peer going away")
			}
			switch how {
			case "close":
				client.Close()
			case "reset":
				client.SetLinger(0)
				client.Close()
			case "half-close":
				client.CloseWrite()
			}
			if !tg.wait(2 * time.Second) {
				t.Fatal("the peer went away unreported")
			}
			if how == "half-close" {
				if p := hc.Pending(); p != len("GET / HTTP/1.1\r\n\r\n") {
					t.Fatalf("Pending %d", p)
				}
			}
			time.Sleep(20 * time.Millisecond)
			if n := tg.n.Load(); n != 1 {
				t.Fatalf("reported %d times", n)
			}
		})
	}
}

// TestUnwatch: after Unwatch, the peer going away is not reported; a
// later Watch reports at once a peer that left meanwhile (the socket is
// re-armed); after Close nothing is reported.
func TestUnwatch(t *testing.T) {
	client, server := pair(t)
	tg := newTarget()
	hc := NewConn(server)
	defer hc.Close()
	if !hc.Watch(tg) {
		t.Fatal("Watch refused")
	}
	hc.Unwatch()
	hc.Unwatch() // a second Unwatch does nothing
	client.Close()
	if tg.wait(100 * time.Millisecond) {
		t.Fatal("an unwatched socket was reported")
	}
	tg2 := newTarget()
	if !hc.Watch(tg2) {
		t.Fatal("Watch after Unwatch refused")
	}
	if !tg2.wait(2 * time.Second) {
		t.Fatal("a peer that left before Watch was not reported")
	}
	hc.Unwatch()

	client2, server2 := pair(t)
	hc2 := NewConn(server2)
	tg3 := newTarget()
	hc2.Watch(tg3)
	hc2.Close()
	client2.Close()
	if tg3.wait(100 * time.Millisecond) {
		t.Fatal("a closed Conn was reported")
	}
}

// TestNoSocket: a connection without a socket is refused.
func TestNoSocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if NewConn(a) != nil {
		t.Fatal("NewConn accepted a net.Pipe")
	}
}

// TestSlotsReused: watching one request after another allocates
// nothing, and connections that come and go do not grow the slot table.
func TestSlotsReused(t *testing.T) {
	_, server := pair(t)
	tg := newTarget()
	for i := 0; i < 100; i++ {
		NewConn(server).Close()
	}
	hc := NewConn(server)
	defer hc.Close()
	allocs := testing.AllocsPerRun(1000, func() {
		if !hc.Watch(tg) {
			t.Fatal("Watch refused")
		}
		hc.Unwatch()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Watch+Unwatch", allocs)
	}
	w.mu.Lock()
	n := len(w.slots)
	w.mu.Unlock()
	if n > 8 {
		t.Fatalf("%d slots after sequential watches", n)
	}
}

// TestConcurrent: many connections watched and unwatched at once, some
// peers leaving, under the race detector.
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		client, server := pair(t)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tg := newTarget()
			hc := NewConn(server)
			for j := 0; j < 200; j++ {
				if !hc.Watch(tg) {
					t.Error("Watch refused")
					return
				}
				hc.Unwatch()
			}
			hc.Watch(tg)
			defer hc.Close()
			if i%2 == 0 {
				client.Close()
				if !tg.wait(2 * time.Second) {
					t.Error("not reported")
				}
			}
		}(i)
	}
	wg.Wait()
}

func BenchmarkWatchUnwatch(b *testing.B) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	c, _ := net.Dial("tcp", ln.Addr().String())
	defer c.Close()
	s, _ := ln.Accept()
	defer s.Close()
	tg := newTarget()
	hc := NewConn(s)
	defer hc.Close()
	b.ReportAllocs()
	for b.Loop() {
		hc.Watch(tg)
		hc.Unwatch()
	}
}

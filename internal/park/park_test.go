//go:build linux

package park

import (
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// pairs returns n connected TCP pairs; the test closes them.
func pairs(t testing.TB, n int) (clients, servers []*net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		s, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c.(*net.TCPConn))
		servers = append(servers, s.(*net.TCPConn))
	}
	t.Cleanup(func() {
		for i := range clients {
			clients[i].Close()
			servers[i].Close()
		}
	})
	return clients, servers
}

func pair(t testing.TB) (client, server *net.TCPConn) {
	c, s := pairs(t, 1)
	return c[0], s[0]
}

type waker struct {
	ch chan struct{}
	n  atomic.Int32
}

func newWaker() *waker { return &waker{ch: make(chan struct{}, 1024)} }

func (w *waker) Wake() { w.n.Add(1); w.ch <- struct{}{} }

func (w *waker) woke(d time.Duration) bool {
	select {
	case <-w.ch:
		return true
	case <-time.After(d):
		return false
	}
}

func newSpot(t testing.TB, c net.Conn, w Waker) *Spot {
	t.Helper()
	s, ok := NewSpot(c, w)
	if !ok {
		t.Fatal("a TCP connection cannot be parked")
	}
	t.Cleanup(s.Close)
	return s
}

// TestWake: a parked socket wakes once when data arrives, when the peer
// half-closes (FIN) and when it resets (RST), and not before.
func TestWake(t *testing.T) {
	for _, how := range []string{"data", "half-close", "reset"} {
		t.Run(how, func(t *testing.T) {
			client, server := pair(t)
			w := newWaker()
			s := newSpot(t, server, w)
			if err := s.Park(); err != nil {
				t.Fatal(err)
			}
			if w.woke(30 * time.Millisecond) {
				t.Fatal("woke with nothing to read")
			}
			switch how {
			case "data":
				client.Write([]byte("GET / HTTP/1.1\r\n\r\n"))
			case "half-close":
				client.CloseWrite()
			case "reset":
				client.SetLinger(0)
				client.Close()
			}
			if !w.woke(2 * time.Second) {
				t.Fatal("not woken")
			}
			time.Sleep(20 * time.Millisecond)
			if n := w.n.Load(); n != 1 {
				t.Fatalf("woken %d times", n)
			}
			if s.Unpark() {
				t.Fatal("Unpark after Wake reported true")
			}
		})
	}
}

// TestParkReadable: Park on a socket that is readable already wakes at
// once, and a second Park after a Wake wakes again while data is unread.
func TestParkReadable(t *testing.T) {
	client, server := pair(t)
	w := newWaker()
	s := newSpot(t, server, w)
	client.Write([]byte("x"))
	time.Sleep(10 * time.Millisecond)
	for i := range 3 {
		if err := s.Park(); err != nil {
			t.Fatal(err)
		}
		if !w.woke(2 * time.Second) {
			t.Fatalf("park %d: not woken", i)
		}
	}
}

// TestUnparkBeforeData: after Unpark reports true, data arriving wakes
// nobody; the next Park wakes at once, the data being there.
func TestUnparkBeforeData(t *testing.T) {
	client, server := pair(t)
	w := newWaker()
	s := newSpot(t, server, w)
	if err := s.Park(); err != nil {
		t.Fatal(err)
	}
	if !s.Unpark() {
		t.Fatal("Unpark of a parked spot reported false")
	}
	if s.Unpark() {
		t.Fatal("a second Unpark reported true")
	}
	client.Write([]byte("x"))
	if w.woke(100 * time.Millisecond) {
		t.Fatal("woken after Unpark")
	}
	if err := s.Park(); err != nil {
		t.Fatal(err)
	}
	if !w.woke(2 * time.Second) {
		t.Fatal("not woken by data that came while unparked")
	}
	if n := w.n.Load(); n != 1 {
		t.Fatalf("woken %d times", n)
	}
}

// TestParkTwice: Park on a parked Spot fails and changes nothing; Park on
// a closed Spot or a closed socket fails.
func TestParkTwice(t *testing.T) {
	client, server := pair(t)
	w := newWaker()
	s := newSpot(t, server, w)
	if err := s.Park(); err != nil {
		t.Fatal(err)
	}
	if err := s.Park(); err == nil {
		t.Fatal("second Park succeeded")
	}
	client.Write([]byte("x"))
	if !w.woke(2 * time.Second) {
		t.Fatal("not woken")
	}

	_, server2 := pair(t)
	s2 := newSpot(t, server2, w)
	server2.Close()
	if err := s2.Park(); err == nil {
		t.Fatal("Park of a closed socket succeeded")
	}
	if s2.Unpark() {
		t.Fatal("Unpark after a failed Park reported true")
	}
	s.Close()
	if err := s.Park(); err == nil {
		t.Fatal("Park of a closed spot succeeded")
	}
}

// raceWaker counts wakes for TestParkUnparkRace.
type raceWaker struct{ n atomic.Int64 }

func (w *raceWaker) Wake() { w.n.Add(1) }

// TestParkUnparkRace: with Park, Unpark from other goroutines and events
// racing, each Park ends exactly once, by Unpark reporting true or by
// Wake. The sockets are readable throughout, so that every Park fires.
func TestParkUnparkRace(t *testing.T) {
	const conns, parks = 16, 300
	clients, servers := pairs(t, conns)
	var wg sync.WaitGroup
	for i := range conns {
		clients[i].Write([]byte("x"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &raceWaker{}
			s, ok := NewSpot(servers[i], w)
			if !ok {
				t.Error("cannot park")
				return
			}
			defer s.Close()
			var unparked atomic.Int64
			for p := range parks {
				before := w.n.Load() + unparked.Load()
				if err := s.Park(); err != nil {
					t.Error(err)
					return
				}
				var uw sync.WaitGroup
				for range 1 + p%3 { // 1 to 3 goroutines try to unpark
					uw.Add(1)
					go func() {
						defer uw.Done()
						if s.Unpark() {
							unparked.Add(1)
						}
					}()
				}
				uw.Wait()
				// The Park ended, or ends soon by Wake.
				deadline := time.Now().Add(5 * time.Second)
				for w.n.Load()+unparked.Load() == before {
					if time.Now().After(deadline) {
						t.Errorf("park %d never ended", p)
						return
					}
					time.Sleep(10 * time.Microsecond)
				}
				if got := w.n.Load() + unparked.Load(); got != before+1 {
					t.Errorf("park %d ended %d times", p, got-before)
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
			if got := w.n.Load() + unparked.Load(); got != parks {
				t.Errorf("%d parks ended %d times", parks, got)
			}
		}()
	}
	wg.Wait()
}

// TestCloseQueuedEvent: an event that is on its way when Close runs is
// dropped, and a new Spot that takes over the slot is not woken by it.
func TestCloseQueuedEvent(t *testing.T) {
	client, server := pair(t)
	w := newWaker()
	s, ok := NewSpot(server, w)
	if !ok {
		t.Fatal("cannot park")
	}
	if err := s.Park(); err != nil {
		t.Fatal(err)
	}
	// Hold the event loop in fire, with the event in hand.
	tab.mu.Lock()
	client.Write([]byte("x"))
	time.Sleep(50 * time.Millisecond)
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	time.Sleep(20 * time.Millisecond) // Close marked s closed; it waits for tab.mu
	tab.mu.Unlock()
	<-closed
	if w.woke(100 * time.Millisecond) {
		t.Fatal("woken after Close")
	}

	client2, server2 := pair(t)
	w2 := newWaker()
	s2 := newSpot(t, server2, w2)
	if s2.idx != s.idx {
		t.Logf("slot %d not reused (got %d)", s.idx, s2.idx)
	}
	if err := s2.Park(); err != nil {
		t.Fatal(err)
	}
	if w2.woke(50 * time.Millisecond) {
		t.Fatal("the new spot was woken by the old one's event")
	}
	client2.Write([]byte("y"))
	if !w2.woke(2 * time.Second) {
		t.Fatal("not woken")
	}
}

// TestManySpots parks 10,000 sockets at once (both ends of 5,000
// connections), then wakes each by writing to its peer.
func TestManySpots(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	n := 5000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		if max := int(lim.Cur/2) - 100; max < n {
			t.Logf("open-file limit %d: %d connections", lim.Cur, max)
			n = max
		}
	}
	clients, servers := pairs(t, n)
	w := &raceWaker{}
	var spots []*Spot
	for i := range n {
		for _, c := range []*net.TCPConn{clients[i], servers[i]} {
			s := newSpot(t, c, w)
			if err := s.Park(); err != nil {
				t.Fatal(err)
			}
			spots = append(spots, s)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if got := w.n.Load(); got != 0 {
		t.Fatalf("%d woken with nothing to read", got)
	}
	for i := range n {
		clients[i].Write([]byte("x"))
		servers[i].Write([]byte("y"))
	}
	deadline := time.Now().Add(10 * time.Second)
	for w.n.Load() != int64(2*n) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d woken", w.n.Load(), 2*n)
		}
		time.Sleep(time.Millisecond)
	}
	for _, s := range spots {
		if s.Unpark() {
			t.Fatal("Unpark after Wake reported true")
		}
	}
}

// TestCloseTwice: a second Close does nothing; in particular it does not
// free the slot again, which would give it to two Spots.
func TestCloseTwice(t *testing.T) {
	_, server := pair(t)
	s, _ := NewSpot(server, newWaker())
	s.Close()
	s.Close()
	_, a := pair(t)
	_, b := pair(t)
	sa, sb := newSpot(t, a, newWaker()), newSpot(t, b, newWaker())
	if sa.idx == sb.idx {
		t.Fatalf("two spots share slot %d", sa.idx)
	}
}

//go:build !race

// The race detector allows 8,128 live goroutines: these tests need more.

package sse

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// TestBroker10000Subscribers: 10,000 in-memory subscribers of one topic
// each get every event, in order; the memory an idle subscriber costs the
// server is measured and logged (go test -v -run 10000).
func TestBroker10000Subscribers(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const subscribers, events = 10000, 20
	b := Broker{Stream: StreamConfig{KeepAlive: -1}}
	srv := memServer(t, b.Handler("t"))

	// Warm the pools with one subscriber.
	openRaw(t, dialMem(t, srv), "/").conn.Close()
	waitFor(t, "the warm-up subscriber to leave", func() bool { return b.Stats().Streams == 0 })

	heap0, stack0 := memInUse()
	g0 := runtime.NumGoroutine()
	conns := make([]net.Conn, subscribers)
	for i := range conns {
		c, err := srv.Listener.Dial()
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	deadline := time.Now().Add(60 * time.Second)
	for b.Stats().Streams != subscribers {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d subscribed", b.Stats().Streams, subscribers)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the heads go out
	heap1, stack1 := memInUse()
	heap := float64(heap1-heap0) / subscribers
	stack := float64(stack1-stack0) / subscribers
	goroutines := float64(runtime.NumGoroutine()-g0) / subscribers
	t.Logf("memory per idle subscriber: %.0f bytes = heap %.0f + stacks %.0f (%.1f goroutines); server side and the in-memory pipe",
		heap+stack, heap, stack, goroutines)

	// Every subscriber reads its stream and checks every event.
	var wg sync.WaitGroup
	errs := make(chan error, subscribers)
	for i, c := range conns {
		wg.Add(1)
		go func(i int, c net.Conn) {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(120 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				errs <- fmt.Errorf("subscriber %d: %v", i, err)
				return
			}
			n := 0
			err = ReadEvents(resp.Body, func(e *Event) error {
				n++
				if want := fmt.Sprint("event ", n); string(e.Data) != want || e.ID != fmt.Sprint(n) {
					return fmt.Errorf("subscriber %d: got id %s %q, want %q", i, e.ID, e.Data, want)
				}
				if n == events {
					return io.EOF
				}
				return nil
			})
			if err != io.EOF {
				errs <- fmt.Errorf("subscriber %d: %d events, then %v", i, n, err)
			}
		}(i, c)
	}
	start := time.Now()
	for i := 1; i <= events; i++ {
		if err := b.Publish("t", &Event{Data: []byte(fmt.Sprint("event ", i))}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d events to %d subscribers delivered in %v", events, subscribers, time.Since(start))
	if st := b.Stats(); st.Sent != subscribers*events || st.Dropped != 0 || st.SlowClosed != 0 {
		t.Fatalf("stats %+v", st)
	}
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, "every subscriber to leave", func() bool { return b.Stats().Streams == 0 })
}

// memInUse returns the Go heap in use and the goroutine stacks, after a
// GC.
func memInUse() (heap, stacks uint64) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse, m.StackInuse
}

// TestBrokerSubscribersTCP: subscribers over loopback TCP cost the server
// one goroutine each on Linux, where the client leaving is watched by
// volt's epoll watcher rather than by a goroutine reading the connection;
// the memory per idle subscriber is logged, and a subscriber that leaves
// is removed.
func TestBrokerSubscribersTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	const subscribers = 1000
	b := Broker{Stream: StreamConfig{KeepAlive: -1}}
	addr := tcpServer(t, &volt.Server{Handler: b.Handler("t")})
	open := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	open().Close() // warm the pools
	waitFor(t, "the warm-up subscriber to leave", func() bool { return b.Stats().Streams == 0 })

	heap0, stack0 := memInUse()
	g0 := runtime.NumGoroutine()
	conns := make([]net.Conn, subscribers)
	for i := range conns {
		conns[i] = open()
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	waitFor(t, "every subscriber", func() bool { return b.Stats().Streams == subscribers })
	time.Sleep(100 * time.Millisecond)
	heap1, stack1 := memInUse()
	// The client side's goroutines are the test's: none per connection.
	goroutines := float64(runtime.NumGoroutine()-g0) / subscribers
	t.Logf("memory per idle subscriber: %.0f bytes = heap %.0f + stacks %.0f (%.2f goroutines); server and client sides",
		float64(heap1+stack1-heap0-stack0)/subscribers, float64(heap1-heap0)/subscribers, float64(stack1-stack0)/subscribers, goroutines)
	if runtime.GOOS == "linux" && goroutines > 1.05 {
		t.Errorf("%.2f server goroutines per subscriber, want 1", goroutines)
	}
	conns[0].Close()
	waitFor(t, "the subscriber that left to be removed", func() bool { return b.Stats().Streams == subscribers-1 })
}

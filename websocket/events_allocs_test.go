//go:build !race

package websocket

import (
	"io"
	"testing"
)

// TestEventsEchoAllocs: a small message to an event-driven connection
// (wake-up, worker, read, OnMessage, write, park) allocates nothing in
// steady state, client side included.
func TestEventsEchoAllocs(t *testing.T) {
	r := newRecorder()
	r.onMsg = func(c *Conn, mt MessageType, p []byte) { _ = c.WriteMessage(mt, p) }
	addr, _ := startEventServer(t, &Upgrader{}, r)
	c, br := rawEventConn(t, addr, "")
	frame := clientFrame(true, 0, opBinary, "hello")
	got := make([]byte, 7)
	roundTrip := func() {
		if _, err := c.Write(frame); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(br, got); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 100; i++ {
		roundTrip() // warm the pools
	}
	if n := testing.AllocsPerRun(1000, roundTrip); n != 0 {
		t.Fatalf("expected 0 allocations, got %v", n)
	}
}

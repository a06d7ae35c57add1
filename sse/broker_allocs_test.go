//go:build !race

package sse

import "testing"

// TestBrokerPublishAllocs: once a topic's history is full, Publish reuses
// the oldest entry's buffer and allocates nothing.
func TestBrokerPublishAllocs(t *testing.T) {
	b := Broker{HistorySize: 8}
	ev := &Event{Type: "tick", Data: []byte(`{"n":1}`)}
	for i := 0; i < 16; i++ {
		b.Publish("t", ev)
	}
	if n := testing.AllocsPerRun(1000, func() {
		if err := b.Publish("t", ev); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Publish: %v allocations, want 0", n)
	}
}

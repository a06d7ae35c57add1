//go:build !race

package sse

import "testing"

// TestParserFeedAllocs checks that parsing allocates nothing in steady
// state for events whose ID does not change (a new ID is a new string).
func TestParserFeedAllocs(t *testing.T) {
	in := []byte("id: 7\r\nevent: tick\r\ndata: line one\r\ndata: line two\r\n\r\n: keep-alive\n\nevent: other\ndata: x\n\n")
	var p Parser
	n := 0
	fn := func(e *Event) error { n += len(e.Data); return nil }
	for i := 0; i < 10; i++ { // warm up the buffers and the type cache
		p.Feed(in, fn)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		// Split, so that lines are carried across calls.
		if err := p.Feed(in[:13], fn); err != nil {
			t.Fatal(err)
		}
		if err := p.Feed(in[13:], fn); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Feed: %v allocations, want 0", allocs)
	}
}

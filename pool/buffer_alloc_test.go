//go:build !race

package pool

import "testing"

func TestBufferPoolAllocs(t *testing.T) {
	var p BufferPool
	msg := make([]byte, 1000)
	run := func() {
		b := p.Get()
		b.Write(msg)
		b.WriteString("tail")
		b.WriteByte('\n')
		p.Put(b)
	}
	run() // make and grow the first buffer
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Fatalf("Get+Write+Put: %v allocations per run, want 0", n)
	}
}

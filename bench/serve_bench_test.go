package bench

import (
	"bytes"
	"testing"
	"time"
)

// pipelineDepth is how many requests the pipelined benchmarks (and load.sh)
// send before reading the responses.
const pipelineDepth = 16

// BenchmarkServe measures one keep-alive request over an in-memory
// connection: the client writes ChromeGET and reads the whole response
// ("Hello, World!", text/plain). ns/op and allocs/op are per request and
// include the client side (a write and a minimal response parse, the same
// for every server) and the in-memory transport (the same InmemListener
// for every server). Allocations are counted in every goroutine, so the
// server's are included.
func BenchmarkServe(b *testing.B) {
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) {
			benchServe(b, impl, ChromeGET, 1)
		})
	}
}

// BenchmarkServePipelined writes 16 requests at once, then reads 16
// responses. ns/op and allocs/op are per request (b.N counts requests).
func BenchmarkServePipelined(b *testing.B) {
	batch := bytes.Repeat(ChromeGET, pipelineDepth)
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) {
			benchServe(b, impl, batch, pipelineDepth)
		})
	}
}

func benchServe(b *testing.B, impl string, batch []byte, depth int) {
	c, rr, stop := startInmem(b, impl)
	defer stop()
	roundTrip := func() {
		if _, err := c.Write(batch); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < depth; i++ {
			resp, err := rr.Next()
			if err != nil {
				b.Fatal(err)
			}
			if resp.Status != 200 || len(resp.Body) != len(HelloWorld) {
				b.Fatalf("got %d %q", resp.Status, resp.Body)
			}
		}
	}
	// Warm up: buffers, pools and the connection's goroutine.
	deadline := time.Now().Add(50 * time.Millisecond)
	for time.Now().Before(deadline) {
		roundTrip()
	}
	b.ReportAllocs()
	b.ResetTimer()
	// b.N counts requests; a last partial batch is rounded up.
	for n := 0; n < b.N; n += depth {
		roundTrip()
	}
	b.StopTimer()
}

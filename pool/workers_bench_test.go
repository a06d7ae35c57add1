// Measured on a shared 2-core amd64 VM with Go 1.26, medians of
//
//	go test -run xxx -bench 'Workers|GoStatement' -benchtime=200ms -count=5 ./pool
//
// BenchmarkGoStatement took 2.1x the time per task of BenchmarkWorkers at
// inflight=1 and 3.2x at inflight=64 (other runs on the same machine gave
// 2x to 3x); both reported 0 allocs/op. The gap is the stack: a new
// goroutine grows its stack through the 32-frame chain and frees it on exit,
// a worker keeps it. With a task of one big 8 KiB frame and no call chain
// the two were about even, the pool up to 10% slower (the go statement then
// grows with a single cheap copy), so the gain depends on how deep the
// tasks' call chains are.

package pool

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// stackSink keeps touchStack's result alive.
var stackSink atomic.Uint32

// touchStack uses about 8 KiB of stack as a chain of depth frames of 256 B
// each, the way a connection's reader, parser and handler calls nest, so a
// goroutine that calls it needs a bigger stack than a new goroutine starts
// with, and growing that stack means copying and adjusting many frames.
//
//go:noinline
func touchStack(seed byte, depth int) byte {
	var a [256]byte
	for i := 0; i < len(a); i += 64 {
		a[i] = seed + byte(depth)
	}
	if depth > 1 {
		a[0] ^= touchStack(a[64], depth-1)
	}
	return a[0] ^ a[int(seed)%len(a)]
}

// touchDepth * 256 B = 8 KiB of frames.
const touchDepth = 32

// inFlightCases bound how many tasks each submitting goroutine has running
// at once, like the connections a server holds open. An unbounded open loop
// measures something else: the submitter keeps its P, the tasks it wakes
// cannot run, and both the pool and the go statement pile up goroutines.
var inFlightCases = []int{1, 64}

// benchGo runs the stack-touching task b.N times through spawn, from
// GOMAXPROCS goroutines, each with at most inFlight tasks outstanding, and
// waits for all of them.
func benchGo(b *testing.B, spawn func(task func()) bool) {
	for _, inFlight := range inFlightCases {
		b.Run(fmt.Sprintf("inflight=%d", inFlight), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				slots := make(chan struct{}, inFlight)
				task := func() {
					stackSink.Store(uint32(touchStack(byte(stackSink.Load()), touchDepth)))
					<-slots
				}
				for pb.Next() {
					slots <- struct{}{}
					if !spawn(task) {
						<-slots
						b.Error("task refused")
						break
					}
				}
				for range inFlight { // wait for the outstanding tasks
					slots <- struct{}{}
				}
			})
		})
	}
}

func BenchmarkWorkers(b *testing.B) {
	p := &Workers{}
	p.Start()
	defer p.Stop()
	benchGo(b, p.Go)
}

func BenchmarkGoStatement(b *testing.B) {
	benchGo(b, func(task func()) bool {
		go task()
		return true
	})
}

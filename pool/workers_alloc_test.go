//go:build !race

package pool

import (
	"runtime"
	"testing"
)

func TestWorkersGoAllocs(t *testing.T) {
	p := &Workers{MaxWorkers: 1}
	p.Start()
	defer p.Stop()
	done := make(chan struct{})
	task := func() { done <- struct{}{} }
	run := func() {
		// With one worker, Go fails (without allocating) until the worker
		// is back on the idle stack, so no second worker is ever made.
		for !p.Go(task) {
			runtime.Gosched()
		}
		<-done
	}
	run() // create the worker
	if n := testing.AllocsPerRun(1000, run); n != 0 {
		t.Fatalf("Go with an idle worker: %v allocations per run, want 0", n)
	}
}

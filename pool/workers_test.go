package pool

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// goRetry submits task, retrying while the pool is at its limit.
func goRetry(t *testing.T, p *Workers, task func()) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !p.Go(task) {
		if time.Now().After(deadline) {
			t.Fatal("Go kept returning false")
		}
		runtime.Gosched()
	}
}

func TestWorkersRunsTasks(t *testing.T) {
	tests := []struct {
		name       string
		maxWorkers int
	}{
		{"unlimited", 0},
		{"one", 1},
		{"four", 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Workers{MaxWorkers: tc.maxWorkers}
			p.Start()
			defer p.Stop()
			const n = 1000
			var ran atomic.Int64
			var wg sync.WaitGroup
			wg.Add(n)
			task := func() {
				ran.Add(1)
				wg.Done()
			}
			for range n {
				goRetry(t, p, task)
			}
			wg.Wait()
			if got := ran.Load(); got != n {
				t.Fatalf("ran %d tasks, want %d", got, n)
			}
			if tc.maxWorkers > 0 && p.Running() > tc.maxWorkers {
				t.Fatalf("Running() = %d, want at most %d", p.Running(), tc.maxWorkers)
			}
		})
	}
}

func TestWorkersMaxWorkers(t *testing.T) {
	p := &Workers{MaxWorkers: 2}
	p.Start()
	defer p.Stop()

	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(2)
	blocked := func() {
		started.Done()
		<-release
	}
	for i := range 2 {
		if !p.Go(blocked) {
			t.Fatalf("Go #%d returned false with a free worker", i+1)
		}
	}
	started.Wait()
	ran := make(chan struct{}, 1)
	extra := func() { ran <- struct{}{} }
	if p.Go(extra) {
		t.Fatal("Go returned true with MaxWorkers busy")
	}
	if got := p.Running(); got != 2 {
		t.Fatalf("Running() = %d, want 2", got)
	}

	close(release)
	goRetry(t, p, extra) // a worker frees up and takes it
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("task did not run after workers freed up")
	}
	if got := p.Running(); got > 2 {
		t.Fatalf("Running() = %d, want at most 2", got)
	}
}

func TestWorkersReuse(t *testing.T) {
	p := &Workers{MaxWorkers: 1}
	p.Start()
	defer p.Stop()
	done := make(chan struct{})
	task := func() { done <- struct{}{} }
	for range 100 {
		goRetry(t, p, task)
		<-done
		if got := p.Running(); got != 1 {
			t.Fatalf("Running() = %d, want 1 reused worker", got)
		}
	}
}

func TestWorkersLIFO(t *testing.T) {
	p := &Workers{}
	p.Start()
	defer p.Stop()

	// Park three workers; they go idle in the order they finish.
	const n = 3
	release := make([]chan struct{}, n)
	for i := range release {
		release[i] = make(chan struct{})
		ch := release[i]
		if !p.Go(func() { <-ch }) {
			t.Fatal("Go returned false")
		}
	}
	idle := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.idle)
	}
	for i, ch := range release {
		close(ch)
		waitFor(t, "worker to go idle", 5*time.Second, func() bool { return idle() == i+1 })
	}
	p.mu.Lock()
	top := p.idle[n-1]
	p.mu.Unlock()
	// The task blocks until the check is done, so that its worker cannot
	// go back to the idle stack (and look untaken) in between.
	hold := make(chan struct{})
	defer close(hold)
	if !p.Go(func() { <-hold }) {
		t.Fatal("Go returned false")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.idle {
		if w == top {
			t.Fatal("Go did not take the most recently used worker")
		}
	}
}

func TestWorkersTakeExpired(t *testing.T) {
	mk := func(lastUsed int64) *worker {
		return &worker{ch: make(chan func(), 1), lastUsed: lastUsed}
	}
	old1, old2, fresh1, fresh2 := mk(1), mk(4), mk(5), mk(9)
	p := &Workers{idle: []*worker{old1, old2, fresh1, fresh2}, clock: 9}

	got := p.takeExpired(nil, 10, 4)
	if len(got) != 2 || got[0] != old1 || got[1] != old2 {
		t.Fatalf("expired = %v, want the two oldest", got)
	}
	if len(p.idle) != 2 || p.idle[0] != fresh1 || p.idle[1] != fresh2 {
		t.Fatalf("idle after = %v, want the two freshest in order", p.idle)
	}
	if tail := p.idle[:4][2:]; tail[0] != nil || tail[1] != nil {
		t.Fatal("removed slots not cleared")
	}
	if p.clock != 10 {
		t.Fatalf("clock = %d, want 10", p.clock)
	}
	if got := p.takeExpired(nil, 8, 4); len(got) != 0 || p.clock != 10 {
		t.Fatalf("second pass: expired %d workers, clock %d; want 0, 10 (clock never goes back)", len(got), p.clock)
	}
}

func TestWorkersIdleExpire(t *testing.T) {
	p := &Workers{MaxIdleDuration: 20 * time.Millisecond}
	p.Start()
	defer p.Stop()

	const n = 5
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(n)
	for range n {
		if !p.Go(func() { started.Done(); <-release }) {
			t.Fatal("Go returned false")
		}
	}
	started.Wait()
	if got := p.Running(); got != n {
		t.Fatalf("Running() = %d, want %d", got, n)
	}
	close(release)
	waitFor(t, "idle workers to expire", 5*time.Second, func() bool { return p.Running() == 0 })

	// The pool still works after its workers expired.
	done := make(chan struct{})
	if !p.Go(func() { close(done) }) {
		t.Fatal("Go returned false after expiry")
	}
	<-done
}

func TestWorkersStop(t *testing.T) {
	base := runtime.NumGoroutine()
	p := &Workers{}
	p.Start()

	const busy, idle = 3, 5
	release := make(chan struct{})
	var started, ran sync.WaitGroup
	started.Add(busy)
	ran.Add(idle)
	for range idle {
		if !p.Go(ran.Done) {
			t.Fatal("Go returned false")
		}
	}
	ran.Wait()
	for range busy {
		if !p.Go(func() { started.Done(); <-release }) {
			t.Fatal("Go returned false")
		}
	}
	started.Wait()

	p.Stop()
	if p.Go(func() { t.Error("task ran after Stop") }) {
		t.Fatal("Go returned true after Stop")
	}
	// Idle workers are gone; busy ones are still running their task.
	waitFor(t, "idle workers to exit", 5*time.Second, func() bool { return p.Running() == busy })

	close(release)
	waitFor(t, "busy workers to exit", 5*time.Second, func() bool { return p.Running() == 0 })
	waitFor(t, "goroutines to return to baseline", 5*time.Second, func() bool {
		return runtime.NumGoroutine() <= base
	})
	p.Stop() // a second Stop does nothing
}

func TestWorkersNotStarted(t *testing.T) {
	var p Workers
	if p.Go(func() { t.Error("task ran on a pool that was not started") }) {
		t.Fatal("Go returned true before Start")
	}
	p.Stop() // Stop before Start does nothing
	if got := p.Running(); got != 0 {
		t.Fatalf("Running() = %d, want 0", got)
	}
}

func TestWorkersRestart(t *testing.T) {
	var p Workers
	for i := range 3 {
		p.Start()
		p.Start() // a second Start does nothing
		done := make(chan struct{})
		if !p.Go(func() { close(done) }) {
			t.Fatalf("round %d: Go returned false", i)
		}
		<-done
		p.Stop()
		if p.Go(func() {}) {
			t.Fatalf("round %d: Go returned true after Stop", i)
		}
	}
	waitFor(t, "workers to exit", 5*time.Second, func() bool { return p.Running() == 0 })
}

func TestWorkersNilTask(t *testing.T) {
	var p Workers
	p.Start()
	defer p.Stop()
	defer func() {
		if recover() == nil {
			t.Fatal("Go(nil) did not panic")
		}
	}()
	p.Go(nil)
}

// TestWorkersConcurrent drives Go from many goroutines while workers expire,
// then stops the pool under load; it is meant for -race.
func TestWorkersConcurrent(t *testing.T) {
	base := runtime.NumGoroutine()
	p := &Workers{MaxWorkers: 8, MaxIdleDuration: 2 * time.Millisecond}
	p.Start()

	var ran, refused atomic.Int64
	task := func() {
		ran.Add(1)
		if ran.Load()%7 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				if !p.Go(task) {
					refused.Add(1)
					runtime.Gosched()
				}
				if i%500 == 0 {
					time.Sleep(5 * time.Millisecond) // let workers expire
				}
				if n := p.Running(); n > 8 {
					t.Errorf("Running() = %d, want at most 8", n)
					return
				}
			}
		}()
	}
	wg.Wait()
	p.Stop()
	waitFor(t, "workers to exit", 5*time.Second, func() bool { return p.Running() == 0 })
	waitFor(t, "goroutines to return to baseline", 5*time.Second, func() bool {
		return runtime.NumGoroutine() <= base
	})
	if ran.Load() == 0 {
		t.Fatal("no task ran")
	}
	t.Logf("ran %d, refused %d", ran.Load(), refused.Load())
}

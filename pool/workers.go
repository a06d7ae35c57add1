package pool

import (
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxIdleDuration is how long an idle worker waits for a task before
// it exits, when Workers.MaxIdleDuration is zero.
const DefaultMaxIdleDuration = 10 * time.Second

const (
	// maxCleanInterval bounds the cleaner's sleep, so an idle worker exits
	// at most about a second after MaxIdleDuration has passed.
	maxCleanInterval = time.Second
	// minCleanInterval keeps a tiny MaxIdleDuration from spinning the cleaner.
	minCleanInterval = time.Millisecond
)

// Workers runs tasks on a set of reused goroutines.
//
// A goroutine that has run a task does not exit: it parks on its own channel
// in a stack of idle workers, and the next Go hands it a new task. Reuse
// skips creating a goroutine and, above all, keeps the stack the goroutine
// grew for earlier tasks. A new goroutine starts with a small stack (2 KiB,
// or the average use the runtime saw at recent garbage collections) and
// grows it by allocating a bigger one and copying every frame onto it; a task
// with a deep call chain (an HTTP connection with its reader, parser and
// handler) pays that on every fresh goroutine, but only once per worker here.
// See workers_bench_test.go for the measured difference. Idle workers are
// taken most recently used first, so the task lands on a stack (and CPU
// caches) that are still warm; the least recently used ones, at the bottom
// of the stack, are the ones that expire. (The garbage collector still
// halves the stack of a goroutine that uses little of it, so a worker idle
// across collections gives memory back on its own.)
//
// Set the fields, call Start, submit tasks with Go, and call Stop when done.
// The fields must not be changed after Start. A Workers must not be copied
// after first use.
//
// The pool does not recover panics: a task that panics crashes the program,
// as it would on a plain goroutine. A task that may panic must recover on its
// own (the server wraps each connection's handler in its own recovery).
type Workers struct {
	// MaxWorkers is the most goroutines (busy and idle) the pool runs at
	// once. When that many are busy, Go returns false and does not run the
	// task. If zero or negative, there is no limit.
	MaxWorkers int

	// MaxIdleDuration is how long a worker may stay idle before it exits.
	// Idle workers are checked every MaxIdleDuration/2, but at least once a
	// second, so a worker exits between MaxIdleDuration and about
	// MaxIdleDuration plus that interval after its last task.
	// If zero or negative, DefaultMaxIdleDuration (10s) is used.
	MaxIdleDuration time.Duration

	// mu guards everything below except alive.
	mu        sync.Mutex
	accepting bool // between Start and Stop
	// idle is a LIFO stack: idle[len-1] ran a task most recently, and
	// lastUsed is nondecreasing from idle[0] upwards. A worker in
	// idle has an empty channel, so a send to it never blocks.
	idle       []*worker
	maxWorkers int           // MaxWorkers snapshot at Start; 0 = no limit
	clock      int64         // cleaner intervals since Start; a coarse clock for lastUsed
	stop       chan struct{} // closed by Stop to end the cleaner
	cleanerEnd chan struct{} // closed by the cleaner when it returns

	// alive counts worker goroutines, busy and idle. It is incremented
	// under mu (so Go's limit check is exact) and decremented by an exiting
	// worker without mu.
	alive atomic.Int64

	// workerCache recycles the worker structs (and their channels) of
	// exited workers.
	workerCache sync.Pool
}

// worker is one pooled goroutine. ch has capacity 1: Go sends the next task,
// and a nil task tells the worker to exit.
type worker struct {
	ch       chan func()
	lastUsed int64 // Workers.clock when it last went idle; guarded by Workers.mu
}

// Start makes the pool accept tasks and starts the goroutine that stops
// expired idle workers. Calling Start on a started pool does nothing. A
// stopped pool may be started again.
func (p *Workers) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.accepting {
		return
	}
	p.accepting = true
	p.maxWorkers = max(p.MaxWorkers, 0)
	maxIdle := p.MaxIdleDuration
	if maxIdle <= 0 {
		maxIdle = DefaultMaxIdleDuration
	}
	interval := min(max(maxIdle/2, minCleanInterval), maxCleanInterval)
	// A worker that went idle at clock t has been idle for at least
	// (now-t-1) intervals; it expires once that reaches maxIdle.
	expireAfter := int64((maxIdle+interval-1)/interval) + 1
	p.stop = make(chan struct{})
	p.cleanerEnd = make(chan struct{})
	go p.clean(p.stop, p.cleanerEnd, p.clock, interval, expireAfter)
}

// Stop makes the pool refuse new tasks: Go returns false from then on. Idle
// workers exit now; busy workers finish their task on their own and then
// exit. Stop does not wait for running tasks. It waits for the cleaner
// goroutine to return. Calling Stop on a pool that is not started does
// nothing.
func (p *Workers) Stop() {
	p.mu.Lock()
	if !p.accepting {
		p.mu.Unlock()
		return
	}
	p.accepting = false
	for i, w := range p.idle {
		w.ch <- nil // never blocks: idle channels are empty
		p.idle[i] = nil
	}
	p.idle = p.idle[:0]
	stop, end := p.stop, p.cleanerEnd
	p.stop, p.cleanerEnd = nil, nil
	p.mu.Unlock()

	close(stop)
	<-end
}

// Go runs task on an idle worker, or on a new worker if none is idle. It
// returns false, and does not run the task, when MaxWorkers workers are
// already busy, or when the pool is not started or has been stopped.
//
// task must not be nil and must not panic (see Workers). Go does not
// allocate when an idle worker is available.
func (p *Workers) Go(task func()) bool {
	if task == nil {
		panic("pool: Workers.Go called with a nil task")
	}
	p.mu.Lock()
	if !p.accepting {
		p.mu.Unlock()
		return false
	}
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.ch <- task // never blocks: idle channels are empty
		return true
	}
	if p.maxWorkers > 0 && p.alive.Load() >= int64(p.maxWorkers) {
		p.mu.Unlock()
		return false
	}
	p.alive.Add(1)
	p.mu.Unlock()

	w, _ := p.workerCache.Get().(*worker)
	if w == nil {
		w = &worker{ch: make(chan func(), 1)}
	}
	w.ch <- task
	go p.work(w)
	return true
}

// Running reports the number of worker goroutines alive, busy and idle. It
// is meant for tests and metrics.
func (p *Workers) Running() int {
	return int(p.alive.Load())
}

// work is the body of a worker goroutine. It runs tasks from w.ch until it
// receives nil or the pool stops.
func (p *Workers) work(w *worker) {
	for task := range w.ch {
		if task == nil {
			break
		}
		task()
		if !p.release(w) {
			break
		}
	}
	p.alive.Add(-1)
	p.workerCache.Put(w)
}

// release pushes w onto the idle stack. It returns false when the pool is
// stopped and w must exit instead.
//
// It reads the coarse clock that the cleaner advances rather than calling
// time.Now, which costs more than the rest of the hand-off on some machines.
func (p *Workers) release(w *worker) bool {
	p.mu.Lock()
	if !p.accepting {
		p.mu.Unlock()
		return false
	}
	w.lastUsed = p.clock
	p.idle = append(p.idle, w)
	p.mu.Unlock()
	return true
}

// clean runs until stop is closed. Every interval it advances the pool's
// clock and stops the workers that have been idle for expireAfter ticks of it.
// The clock counts intervals since clean started, from base (so it keeps
// increasing across a Stop and Start), and is derived from elapsed time, so
// a tick the ticker drops does not slow it down. A worker that goes idle
// while the cleaner is late records a clock value that is behind, and may
// expire up to that lateness early.
func (p *Workers) clean(stop <-chan struct{}, end chan<- struct{}, base int64, interval time.Duration, expireAfter int64) {
	defer close(end)
	start := time.Now()
	t := time.NewTicker(interval)
	defer t.Stop()
	var expired []*worker // owned by this goroutine
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		now := base + int64(time.Since(start)/interval)
		expired = p.takeExpired(expired[:0], now, now-expireAfter)
		// Wake the expired workers outside the lock; each channel is empty.
		for i, w := range expired {
			w.ch <- nil
			expired[i] = nil
		}
	}
}

// takeExpired sets the pool's clock to now, removes from the bottom of the
// idle stack the workers that went idle at or before clock value deadline,
// and appends them to dst.
func (p *Workers) takeExpired(dst []*worker, now, deadline int64) []*worker {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clock = max(p.clock, now)
	n := 0
	for n < len(p.idle) && p.idle[n].lastUsed <= deadline {
		n++
	}
	if n == 0 {
		return dst
	}
	dst = append(dst, p.idle[:n]...)
	m := copy(p.idle, p.idle[n:])
	clear(p.idle[m:])
	p.idle = p.idle[:m]
	return dst
}

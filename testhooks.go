package volt

import "sync/atomic"

// testHooks are points where tests observe or delay the server to make a
// race deterministic. Production code never sets them: each point costs
// one atomic load of a nil pointer.
type testHooks struct {
	// bufPut sees every buffer given back to a bufPool, before it is
	// pooled (a test poisons it to catch a use after release).
	bufPut func(p *bufPool, b []byte)
	// watchDelay runs in ServerConn.watch between the decision to start
	// the protocol's watcher and the start.
	watchDelay func()
	// watchActive is told +1 when an HTTP/1.1 watcher starts, -1 when it
	// stops.
	watchActive func(delta int)
	// shutdownDelay runs in ServerConn.shutdown between finding the
	// connection idle and waking it.
	shutdownDelay func()
	// watchRead runs in the reading watcher after its read returned.
	watchRead func(n int)
	// heldRead sees each read of a held wait (serve_http1_held_linux.go):
	// its byte count, or -1 for an error such as EAGAIN.
	heldRead func(n int)
}

var testHooksPtr atomic.Pointer[testHooks]

// hooks returns the installed test hooks, or nil.
func hooks() *testHooks { return testHooksPtr.Load() }

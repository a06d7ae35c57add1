// Command benchserver serves the load-test endpoints with one of the
// implementations compared in bench/, in the foreground, until SIGTERM or
// SIGINT:
//
//	GET  /plaintext  200 "Hello, World!" text/plain
//	GET  /json       200 {"message":"Hello, World!"} application/json
//	POST /echo       200 the request body
//	GET  /ws         WebSocket echo
//	GET  /sse        an event stream of 10 events, then the end
//
// Usage:
//
//	benchserver -impl volt|fasthttp|nethttp [-addr 127.0.0.1:8080] [-stats FILE]
//
// With -stats, it writes the number of heap objects it allocated in its
// life to FILE when it exits (runtime/metrics), so that load.sh can report
// allocations per request under load.
//
// Every implementation gets the same handler logic and comparable settings
// (bench.Serve): default buffer sizes, the same header and idle timeouts, no
// logging. load.sh and idlemem run it pinned to one core; GOMAXPROCS then
// follows the CPU set.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime/metrics"

	"github.com/volthttp/volt/bench"
)

func main() {
	impl := flag.String("impl", "volt", "implementation: volt, fasthttp or nethttp")
	addr := flag.String("addr", "127.0.0.1:8080", "TCP address to listen on")
	stats := flag.String("stats", "", "file to write allocation counts to at exit")
	flag.Parse()
	err := run(*impl, *addr)
	if *stats != "" {
		if werr := writeStats(*stats); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
}

// writeStats writes "heap_allocs_objects N" for the whole process life.
func writeStats(path string) error {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(s)
	return os.WriteFile(path, fmt.Appendf(nil, "heap_allocs_objects %d\n", s[0].Value.Uint64()), 0o644)
}

func run(impl, addr string) error {
	// Many keep-alive connections (idlemem opens 10,000) need many fds.
	if _, err := bench.RaiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "benchserver: cannot raise the open-file limit:", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	shutdown, served, err := bench.Serve(impl, ln)
	if err != nil {
		_ = ln.Close()
		return err
	}
	return bench.UntilSignal(shutdown, served)
}

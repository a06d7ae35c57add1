// Command benchserver serves the load-test endpoints with one of the
// implementations compared in bench/, in the foreground, until SIGTERM or
// SIGINT:
//
//	GET  /plaintext  200 "Hello, World!" text/plain
//	GET  /json       200 {"message":"Hello, World!"} application/json
//	POST /echo       200 the request body
//
// Usage:
//
//	benchserver -impl volt|fasthttp|nethttp [-addr 127.0.0.1:8080]
//
// Every implementation gets the same handler logic and comparable settings
// (bench.Serve): default buffer sizes, the same header and idle timeouts, no
// logging. load.sh and idlemem run it pinned to one core; GOMAXPROCS then
// follows the CPU set.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/volthttp/volt/bench"
)

func main() {
	impl := flag.String("impl", "volt", "implementation: volt, fasthttp or nethttp")
	addr := flag.String("addr", "127.0.0.1:8080", "TCP address to listen on")
	flag.Parse()
	if err := run(*impl, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
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
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		signal.Stop(sig)
		// Open keep-alive connections may keep a graceful shutdown waiting:
		// give it a second, then exit anyway.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = shutdown(ctx)
		return nil
	case err := <-served:
		return err
	}
}

// Command proxyserver runs one of the reverse proxies compared by
// proxy.sh (bench.ServeProxy) in front of an HTTP/1.1 upstream, in the
// foreground, until SIGTERM or SIGINT:
//
//	proxyserver -impl volt|httputil|fasthttp -addr 127.0.0.1:18080 -upstream 127.0.0.1:18081 [-stats FILE] [-cpuprofile FILE]
//
// With -stats, it writes the number of heap objects it allocated in its
// life to FILE when it exits, as benchserver does.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/volthttp/volt/bench"
)

func main() {
	impl := flag.String("impl", "volt", "proxy: volt, httputil or fasthttp")
	addr := flag.String("addr", "127.0.0.1:18080", "TCP address to listen on")
	upstream := flag.String("upstream", "127.0.0.1:18081", "upstream host:port")
	stats := flag.String("stats", "", "file to write allocation counts to at exit")
	cpuProfile := flag.String("cpuprofile", "", "file to write a CPU profile of the whole run to")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "proxyserver:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	err := run(*impl, *addr, *upstream)
	if *stats != "" {
		s := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
		metrics.Read(s)
		if werr := os.WriteFile(*stats, fmt.Appendf(nil, "heap_allocs_objects %d\n", s[0].Value.Uint64()), 0o644); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "proxyserver:", err)
		os.Exit(1)
	}
}

func run(impl, addr, upstream string) error {
	if _, err := bench.RaiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, "proxyserver: cannot raise the open-file limit:", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	shutdown, served, err := bench.ServeProxy(impl, ln, upstream)
	if err != nil {
		_ = ln.Close()
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
		signal.Stop(sig)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = shutdown(ctx)
		return nil
	case err := <-served:
		return err
	}
}

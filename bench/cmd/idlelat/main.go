// Command idlelat measures request latency on a mostly idle server: it
// opens -conns keep-alive connections (one GET /plaintext each), leaves
// them idle, then sends a trickle of -rate requests per second, each on a
// connection picked at random, for -duration, and reports the latency
// percentiles of those requests. Every round runs each implementation
// once, in turn, in a fresh benchserver pinned with taskset to -cpu.
//
// Usage, from bench/ (pin the client elsewhere):
//
//	go build -o /tmp/benchserver ./cmd/benchserver
//	taskset -c 1 go run ./cmd/idlelat -server /tmp/benchserver [-impls volt,fasthttp] [-rounds 3]
//
// To compare two builds of volt, name the other binary in -impls:
// -impls volt,volt@/tmp/benchserver-old,fasthttp.
//
// Linux only (taskset); -conns must stay below the open-file limits.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/volthttp/volt/bench"
)

var (
	nConns   = flag.Int("conns", 10000, "idle keep-alive connections")
	rate     = flag.Int("rate", 200, "requests per second in the trickle")
	duration = flag.Duration("duration", 10*time.Second, "length of the trickle")
	rounds   = flag.Int("rounds", 3, "rounds; each runs every implementation once")
	implList = flag.String("impls", "volt,fasthttp", "implementations, comma-separated; impl@path runs it from another benchserver binary")
	server   = flag.String("server", "", "benchserver binary (required)")
	cpu      = flag.String("cpu", "0", "taskset CPU list of the server; empty: not pinned")
	basePort = flag.Int("port", 19500, "first port; each run listens on the next one")
	settle   = flag.Duration("settle", 2*time.Second, "idle time before the trickle")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "idlelat:", err)
		os.Exit(1)
	}
}

type result struct {
	p50, p99, p999, max time.Duration
	n, errs             int
}

func run() error {
	if *server == "" {
		return fmt.Errorf("-server is required")
	}
	if n, err := bench.RaiseFileLimit(); err != nil {
		return err
	} else if uint64(*nConns)+64 > n {
		return fmt.Errorf("open-file limit %d is too low for %d connections", n, *nConns)
	}
	impls := strings.Split(*implList, ",")
	fmt.Printf("%d idle connections, %d req/s on random ones for %v, %d rounds\n", *nConns, *rate, *duration, *rounds)
	fmt.Printf("%-6s %-12s %8s %10s %10s %10s %10s %6s\n", "round", "impl", "requests", "p50 us", "p99 us", "p99.9 us", "max us", "errors")
	all := map[string][]result{}
	port := *basePort
	for round := 1; round <= *rounds; round++ {
		for _, impl := range impls {
			addr := "127.0.0.1:" + strconv.Itoa(port)
			port++
			bin, name := *server, impl
			if i := strings.IndexByte(impl, '@'); i >= 0 {
				name, bin = impl[:i], impl[i+1:]
			}
			args := []string{bin, "-impl", name, "-addr", addr}
			if *cpu != "" {
				args = append([]string{"taskset", "-c", *cpu}, args...)
			}
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Start(); err != nil {
				return err
			}
			r, err := measure(addr)
			_ = cmd.Process.Signal(syscall.SIGTERM)
			_ = cmd.Wait()
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", impl, round, err)
			}
			all[impl] = append(all[impl], r)
			fmt.Printf("%-6d %-12s %8d %10d %10d %10d %10d %6d\n", round, impl, r.n,
				r.p50.Microseconds(), r.p99.Microseconds(), r.p999.Microseconds(), r.max.Microseconds(), r.errs)
		}
	}
	fmt.Printf("\nMedians over %d rounds:\n", *rounds)
	for _, impl := range impls {
		rs := all[impl]
		fmt.Printf("  %-9s p50 %6d us  p99 %6d us  p99.9 %6d us\n", impl,
			med(rs, func(r result) time.Duration { return r.p50 }).Microseconds(),
			med(rs, func(r result) time.Duration { return r.p99 }).Microseconds(),
			med(rs, func(r result) time.Duration { return r.p999 }).Microseconds())
	}
	return nil
}

func med(rs []result, f func(result) time.Duration) time.Duration {
	v := make([]time.Duration, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

type conn struct {
	c    net.Conn
	rr   *bench.ResponseReader
	busy atomic.Bool
}

// get sends one GET /plaintext on c and reads the response.
func (c *conn) get() error {
	_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(bench.ChromeGET); err != nil {
		return err
	}
	resp, err := c.rr.Next()
	if err == nil && resp.Status != 200 {
		err = fmt.Errorf("status %d", resp.Status)
	}
	return err
}

func measure(addr string) (result, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return result{}, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	conns := make([]*conn, *nConns)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.c.Close()
			}
		}
	}()
	var wg sync.WaitGroup
	var openErr atomic.Value
	next := make(chan int)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				nc, err := net.Dial("tcp", addr)
				if err != nil {
					openErr.Store(err)
					continue
				}
				c := &conn{c: nc, rr: bench.NewResponseReader(nc, 1024)}
				if err := c.get(); err != nil {
					openErr.Store(err)
					nc.Close()
					continue
				}
				conns[i] = c
			}
		}()
	}
	for i := range conns {
		next <- i
	}
	close(next)
	wg.Wait()
	if err, _ := openErr.Load().(error); err != nil {
		return result{}, err
	}
	time.Sleep(*settle)

	// The trickle: requests start on schedule (every 1/rate), each on a
	// random idle connection, whatever the latency of the ones before.
	var (
		mu   sync.Mutex
		lats []time.Duration
		errs atomic.Int64
	)
	interval := time.Second / time.Duration(*rate)
	total := int(*duration / interval)
	start := time.Now()
	var reqs sync.WaitGroup
	for k := range total {
		time.Sleep(time.Until(start.Add(time.Duration(k) * interval)))
		var c *conn
		for c == nil {
			cand := conns[rand.IntN(len(conns))]
			if cand.busy.CompareAndSwap(false, true) {
				c = cand
			}
		}
		reqs.Add(1)
		go func() {
			defer reqs.Done()
			t0 := time.Now()
			err := c.get()
			d := time.Since(t0)
			c.busy.Store(false)
			if err != nil {
				errs.Add(1)
				return
			}
			mu.Lock()
			lats = append(lats, d)
			mu.Unlock()
		}()
	}
	reqs.Wait()
	slices.Sort(lats)
	if len(lats) == 0 {
		return result{}, fmt.Errorf("no request succeeded")
	}
	pct := func(p float64) time.Duration { return lats[min(len(lats)-1, int(p*float64(len(lats))))] }
	return result{p50: pct(0.50), p99: pct(0.99), p999: pct(0.999), max: lats[len(lats)-1],
		n: len(lats), errs: int(errs.Load())}, nil
}

// Command idlemem measures the resident memory that each idle keep-alive
// connection costs a server, for volt, fasthttp and net/http in one run.
//
// For each implementation in turn (volt fasthttp nethttp volt ..., for
// -rounds rounds) it starts benchserver in a child process, serves one
// warm-up request, lets it settle and reads the child's VmRSS from
// /proc/PID/status; then it opens -conns keep-alive connections, sends one
// GET /plaintext on each and reads the response, leaves them idle for
// -settle, reads VmRSS again, and reports (after - before) / conns. At the
// end it prints the median per implementation and the ratios volt/peer.
//
// Usage, from bench/:
//
//	go run ./idlemem [-conns 10000] [-rounds 3] [-server path/to/benchserver]
//
// Linux only (it reads /proc). It raises its open-file limit to the hard
// limit, and benchserver does the same; -conns must stay below both.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/volthttp/volt/bench"
)

var (
	nConns   = flag.Int("conns", 10000, "keep-alive connections to open")
	rounds   = flag.Int("rounds", 3, "rounds; each runs every implementation once")
	implList = flag.String("impls", strings.Join(bench.Impls, ","), "implementations, comma-separated")
	server   = flag.String("server", "", "benchserver binary (default: build ./cmd/benchserver)")
	basePort = flag.Int("port", 19000, "first port; each run listens on the next one, so that no 4-tuple is reused")
	settle   = flag.Duration("settle", 2*time.Second, "idle time before each RSS reading")
	srcIPs   = flag.Int("srcips", 1, "spread client connections over 127.0.0.1 .. 127.0.0.N, if ephemeral ports run out")
	workers  = flag.Int("workers", 32, "connections opened at once")
	limit    = flag.Duration("timeout", 10*time.Minute, "give up after this long")
	useH2    = flag.Bool("h2", false, "HTTP/2 over cleartext (prior knowledge) instead of HTTP/1.1; implementations without it fail")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "idlemem:", err)
		os.Exit(1)
	}
}

type result struct {
	impl          string
	round         int
	before, after int64 // VmRSS, bytes
	perConn       float64
}

func run() error {
	impls := strings.Split(*implList, ",")
	if n, err := bench.RaiseFileLimit(); err != nil {
		return err
	} else if uint64(*nConns)+64 > n {
		return fmt.Errorf("open-file limit %d is too low for %d connections", n, *nConns)
	}
	bin := *server
	if bin == "" {
		dir, err := os.MkdirTemp("", "idlemem")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "benchserver")
		cmd := exec.Command("go", "build", "-o", bin, "github.com/volthttp/volt/bench/cmd/benchserver")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building benchserver (run idlemem from bench/): %w", err)
		}
	}

	var (
		mu    sync.Mutex
		child *exec.Cmd
	)
	timer := time.AfterFunc(*limit, func() {
		mu.Lock()
		if child != nil && child.Process != nil {
			_ = child.Process.Kill()
		}
		mu.Unlock()
		fmt.Fprintln(os.Stderr, "idlemem: timed out")
		os.Exit(2)
	})
	defer timer.Stop()

	proto := "HTTP/1.1"
	if *useH2 {
		proto = "HTTP/2 (h2c)"
	}
	fmt.Printf("%d idle %s keep-alive connections per run, %d rounds, settle %v\n", *nConns, proto, *rounds, *settle)
	fmt.Printf("%-6s %-9s %12s %12s %14s\n", "round", "impl", "RSS before", "RSS after", "bytes/conn")
	var results []result
	port := *basePort
	for round := 1; round <= *rounds; round++ {
		for _, impl := range impls {
			addr := "127.0.0.1:" + strconv.Itoa(port)
			port++
			cmd := exec.Command(bin, "-impl", impl, "-addr", addr)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			mu.Lock()
			child = cmd
			err := cmd.Start()
			mu.Unlock()
			if err != nil {
				return err
			}
			r, err := measure(impl, addr, cmd.Process.Pid)
			stopChild(cmd)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", impl, round, err)
			}
			r.round = round
			results = append(results, r)
			fmt.Printf("%-6d %-9s %10.1f M %10.1f M %14.0f\n", round, impl,
				float64(r.before)/(1<<20), float64(r.after)/(1<<20), r.perConn)
		}
	}
	summarize(impls, results)
	return nil
}

// measure runs one server's measurement: RSS with no connection open, then
// with nConns idle keep-alive connections.
func measure(impl, addr string, pid int) (result, error) {
	if err := waitPort(addr, 10*time.Second); err != nil {
		return result{}, err
	}
	// Warm up, so that what the first request initialises lazily (pools,
	// date caches, worker goroutines) is in the baseline.
	c, err := openConn(addr, 0, bench.NewResponseReader(nil, 4096))
	if err != nil {
		return result{}, fmt.Errorf("warm-up request: %w", err)
	}
	_ = c.Close()
	time.Sleep(*settle)
	before, err := bench.VmRSS(pid)
	if err != nil {
		return result{}, err
	}

	conns := make([]net.Conn, *nConns)
	defer func() {
		for _, c := range conns {
			if c != nil {
				_ = c.Close()
			}
		}
	}()
	next := make(chan int)
	errc := make(chan error, *workers)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr := bench.NewResponseReader(nil, 4096)
			for i := range next {
				c, err := openConn(addr, i, rr)
				if err != nil {
					errc <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				conns[i] = c
			}
		}()
	}
	var openErr error
feed:
	for i := range conns {
		select {
		case next <- i:
		case openErr = <-errc:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if openErr == nil {
		select {
		case openErr = <-errc:
		default:
		}
	}
	if openErr != nil {
		return result{}, openErr
	}
	time.Sleep(*settle)
	after, err := bench.VmRSS(pid)
	if err != nil {
		return result{}, err
	}
	return result{impl: impl, before: before, after: after,
		perConn: float64(after-before) / float64(*nConns)}, nil
}

// openConn connects (from 127.0.0.(1 + i mod srcips)), sends one GET
// /plaintext and reads its response, and returns the open connection.
func openConn(addr string, i int, rr *bench.ResponseReader) (net.Conn, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	if *srcIPs > 1 {
		d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%*srcIPs))}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if *useH2 {
		if err := h2GET(c, addr); err != nil {
			_ = c.Close()
			return nil, err
		}
		_ = c.SetDeadline(time.Time{})
		return c, nil
	}
	rr.Reset(c)
	if _, err := c.Write(bench.ChromeGET); err != nil {
		_ = c.Close()
		return nil, err
	}
	resp, err := rr.Next()
	if err == nil && (resp.Status != 200 || string(resp.Body) != bench.HelloWorld) {
		err = fmt.Errorf("got %d %q", resp.Status, resp.Body)
	}
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}

func waitPort(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server did not listen on %s: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopChild sends SIGTERM and waits up to 5 s, then kills.
func stopChild(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func summarize(impls []string, results []result) {
	per := map[string][]float64{}
	byRound := map[string]map[int]float64{}
	for _, r := range results {
		per[r.impl] = append(per[r.impl], r.perConn)
		if byRound[r.impl] == nil {
			byRound[r.impl] = map[int]float64{}
		}
		byRound[r.impl][r.round] = r.perConn
	}
	fmt.Printf("\nMedian over %d rounds, bytes of RSS per idle keep-alive connection:\n", *rounds)
	for _, impl := range impls {
		fmt.Printf("  %-9s %8.0f\n", impl, bench.Median(per[impl]))
	}
	if _, ok := byRound["volt"]; !ok {
		return
	}
	for _, peer := range impls {
		if peer == "volt" {
			continue
		}
		var ratios []float64
		for round, v := range byRound["volt"] {
			if p, ok := byRound[peer][round]; ok && p > 0 {
				ratios = append(ratios, v/p)
			}
		}
		fmt.Printf("volt/%s: %.2f (median of per-round ratios; < 1: volt uses less)\n", peer, bench.Median(ratios))
	}
}

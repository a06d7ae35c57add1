// Command sseidlemem measures the resident memory that each idle
// server-sent event stream costs a server, held open after one event, for
// volt's Broker with detached subscribers (ServeDetached), volt's Broker
// with a goroutine per subscriber (Serve) and a net/http handler, in one
// run.
//
// For each implementation in turn (volt-detached volt nethttp ..., for
// -rounds rounds) it starts itself as a child process serving that
// implementation, opens one warm-up stream, lets the child settle and
// reads its VmRSS from /proc/PID/status; then it opens -conns streams
// (each gets the response head and one event), leaves them idle for
// -settle, reads VmRSS again and reports (after - before) / conns. At the
// end it prints the median per implementation and the median per-round
// ratios of each volt form to the others.
//
// Usage, from bench/:
//
//	go run ./sseidlemem [-conns 10000] [-rounds 3]
//
// Linux only (it reads /proc). It raises its open-file limit to the hard
// limit; -conns must stay below it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/volthttp/volt/bench"
)

var (
	nConns   = flag.Int("conns", 10000, "event streams to open")
	rounds   = flag.Int("rounds", 3, "rounds; each runs every implementation once")
	implList = flag.String("impls", "volt-detached,volt,nethttp", "implementations, comma-separated")
	settle   = flag.Duration("settle", 2*time.Second, "idle time before each RSS reading")
	workers  = flag.Int("workers", 16, "streams opened at once")
	serve    = flag.String("serve", "", "internal: serve this implementation and print its address")
)

func main() {
	flag.Parse()
	if *serve != "" {
		runChild(*serve)
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sseidlemem:", err)
		os.Exit(1)
	}
}

// runChild serves impl until stdin closes or a signal comes.
func runChild(impl string) {
	if _, err := bench.RaiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	addr, err := startServer(impl)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(addr)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	go func() { io.Copy(io.Discard, os.Stdin); sig <- syscall.SIGTERM }()
	<-sig
	os.Exit(0)
}

type result = bench.RSSResult

func run() error {
	n, err := bench.RaiseFileLimit()
	if err != nil {
		return err
	}
	if uint64(*nConns)+64 > n {
		return fmt.Errorf("open-file limit %d is too low for %d connections", n, *nConns)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	impls := strings.Split(*implList, ",")
	fmt.Printf("%d idle SSE streams per run (after one event), %d rounds, settle %v\n", *nConns, *rounds, *settle)
	fmt.Printf("%-6s %-14s %12s %12s %12s\n", "round", "impl", "RSS before", "RSS after", "bytes/conn")
	var results []result
	for round := 1; round <= *rounds; round++ {
		for _, impl := range impls {
			r, err := measure(self, impl)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", impl, round, err)
			}
			r.Round = round
			results = append(results, r)
		}
	}
	fmt.Println()
	bench.PrintRSSSummary(results, impls, []string{"volt-detached", "volt"}, 14)
	return nil
}

func measure(self, impl string) (result, error) {
	cmd := exec.Command(self, "-serve", impl)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	defer func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return result{}, fmt.Errorf("child: %w", err)
	}
	addr := strings.TrimSpace(line)
	warm, err := openStream(addr)
	if err != nil {
		return result{}, fmt.Errorf("warm-up: %w", err)
	}
	warm.Close()
	time.Sleep(*settle)
	before, err := bench.VmRSS(cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	conns, err := bench.OpenConns(*nConns, *workers, func(int) (net.Conn, error) { return openStream(addr) })
	if err != nil {
		return result{}, err
	}
	defer bench.CloseConns(conns)
	time.Sleep(*settle)
	after, err := bench.VmRSS(cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	r := result{Impl: impl, PerConn: float64(after-before) / float64(*nConns)}
	fmt.Printf("%-6s %-14s %10.1f M %10.1f M %12.0f\n", "", impl, float64(before)/(1<<20), float64(after)/(1<<20), r.PerConn)
	return r, nil
}

// openStream opens an event stream and reads up to the end of its first
// event.
func openStream(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET /events HTTP/1.1\r\nHost: " + addr + "\r\nAccept: text/event-stream\r\nLast-Event-ID: 1\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	var got []byte
	buf := make([]byte, 1024)
	for !strings.Contains(string(got), "data: welcome\n\n") {
		n, err := c.Read(buf)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("read %q: %w", got, err)
		}
		got = append(got, buf[:n]...)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 200") {
		c.Close()
		return nil, fmt.Errorf("response %q", got)
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

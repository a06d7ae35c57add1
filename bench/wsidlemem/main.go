// Command wsidlemem measures the resident memory that each idle WebSocket
// connection costs a server, for volt (event-driven, UpgradeEvents, and
// blocking, Upgrade), gorilla/websocket and lxzan/gws in one run.
//
// For each implementation in turn (volt gorilla gws volt ..., for -rounds
// rounds) it starts itself as a child process serving that
// implementation's echo server (bench.StartWSServer, no compression),
// opens one warm-up connection, lets the child settle and reads its VmRSS
// from /proc/PID/status; then it opens -conns connections (handshake, one
// small message echoed), leaves them idle for -settle, reads VmRSS again
// and reports (after - before) / conns. At the end it prints the median
// per implementation and the median per-round ratios of each volt form
// (volt-events, volt) to each other implementation.
//
// Usage, from bench/:
//
//	go run ./wsidlemem [-conns 5000] [-rounds 3]
//
// Linux only (it reads /proc). It raises its open-file limit to the hard
// limit; -conns must stay below it.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/volthttp/volt/bench"
)

var (
	nConns   = flag.Int("conns", 5000, "WebSocket connections to open")
	rounds   = flag.Int("rounds", 3, "rounds; each runs every implementation once")
	implList = flag.String("impls", "volt-events,"+strings.Join(bench.WSImpls, ","), "implementations, comma-separated (volt-events: Upgrader.UpgradeEvents)")
	settle   = flag.Duration("settle", 2*time.Second, "idle time before each RSS reading")
	workers  = flag.Int("workers", 16, "connections opened at once")
	serve    = flag.String("serve", "", "internal: serve this implementation and print its URL")
)

func main() {
	flag.Parse()
	if *serve != "" {
		runChild(*serve)
		return
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "wsidlemem:", err)
		os.Exit(1)
	}
}

// runChild serves impl until stdin closes or a signal comes.
func runChild(impl string) {
	if _, err := bench.RaiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var u string
	if impl == "volt-events" {
		var err error
		if u, _, err = startEventServer(false); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	} else {
		srv, err := bench.StartWSServer(impl, false, true)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		u = srv.URL
	}
	fmt.Println(u)
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
	fmt.Printf("%d idle WebSocket connections per run, %d rounds, settle %v\n", *nConns, *rounds, *settle)
	fmt.Printf("%-6s %-8s %12s %12s %12s\n", "round", "impl", "RSS before", "RSS after", "bytes/conn")
	var results []result
	for round := 1; round <= *rounds; round++ {
		for _, impl := range strings.Split(*implList, ",") {
			r, err := measure(self, impl)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", impl, round, err)
			}
			r.Round = round
			results = append(results, r)
		}
	}
	fmt.Println()
	bench.PrintRSSSummary(results, strings.Split(*implList, ","), []string{"volt-events", "volt"}, 8)
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
	u, err := url.Parse(strings.TrimSpace(line))
	if err != nil {
		return result{}, err
	}
	warm, err := openWS(u)
	if err != nil {
		return result{}, fmt.Errorf("warm-up: %w", err)
	}
	warm.Close()
	time.Sleep(*settle)
	before, err := bench.VmRSS(cmd.Process.Pid)
	if err != nil {
		return result{}, err
	}
	conns, err := bench.OpenConns(*nConns, *workers, func(int) (net.Conn, error) { return openWS(u) })
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
	fmt.Printf("%-6s %-8s %10.1f M %10.1f M %12.0f\n", "", impl, float64(before)/(1<<20), float64(after)/(1<<20), r.PerConn)
	return r, nil
}

// openWS opens a WebSocket connection with a raw handshake, and has one
// small message echoed, so that the server's connection is set up whole.
func openWS(u *url.URL) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + u.Path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	// A masked binary frame "ping" (key 0): the payload is sent as is.
	frame := []byte{0x82, 0x84, 0, 0, 0, 0, 'p', 'i', 'n', 'g'}
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, err
	}
	br := bufio.NewReader(c)
	status, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 101") {
		c.Close()
		return nil, fmt.Errorf("handshake: %q %v", status, err)
	}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			c.Close()
			return nil, err
		}
		if l == "\r\n" {
			break
		}
	}
	// gorilla refuses frames sent before its 101 response: send after it.
	if _, err := c.Write(frame); err != nil {
		c.Close()
		return nil, err
	}
	echo := make([]byte, 6)
	if _, err := io.ReadFull(br, echo); err != nil || !bytes.Equal(echo, []byte{0x82, 4, 'p', 'i', 'n', 'g'}) {
		c.Close()
		return nil, fmt.Errorf("echo % x %v", echo, err)
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

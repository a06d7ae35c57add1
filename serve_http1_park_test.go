//go:build linux

package volt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// parkedConns counts the server's connections parked now.
func parkedConns(s *Server) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for sc := range s.conns {
		sc.mu.Lock()
		if sc.unpark != nil {
			n++
		}
		sc.mu.Unlock()
	}
	return n
}

// parkedClient dials addr, exchanges one request and waits until the
// server parked the connection.
func parkedClient(t testing.TB, s *Server, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	before := parkedConns(s)
	c, br := servedClient(t, addr)
	waitFor(t, "the connection to park", func() bool { return parkedConns(s) > before })
	return c, br
}

// servedClient dials addr and exchanges one request ("/", answered "ok").
func servedClient(t testing.TB, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	if _, body := exchange(t, c, br, get("/")); body != "ok" {
		t.Fatalf("body %q", body)
	}
	return c, br
}

func okServer() *Server {
	return &Server{Handler: func(ctx *RequestCtx) { ctx.WriteString("ok") }}
}

// waitClosed waits for the server to close c: a read returns EOF (or a
// reset), not a timeout.
func waitClosed(t testing.TB, c net.Conn, br *bufio.Reader, within time.Duration) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	_, err := br.ReadByte()
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection not closed within %v: %v", within, err)
	}
}

// TestParkedRequestAfterLongIdle: a connection parked for longer than the
// worker pool keeps an idle worker (so that the worker that served it is
// gone) is served when its next request comes.
func TestParkedRequestAfterLongIdle(t *testing.T) {
	s := okServer()
	s.init()
	s.workers.Stop()
	s.workers.MaxIdleDuration = 50 * time.Millisecond
	s.workers.Start()
	addr := testTCPServer(t, s)
	c, br := parkedClient(t, s, addr)
	waitFor(t, "every worker to exit", func() bool { return s.workers.Running() == 0 })
	time.Sleep(100 * time.Millisecond)
	for i := range 3 {
		if _, body := exchange(t, c, br, get("/again")); body != "ok" {
			t.Fatalf("request %d: %q", i, body)
		}
		waitFor(t, "the connection to park again", func() bool { return parkedConns(s) == 1 })
	}
}

// TestParkedPeerLeaves: a client that half-closes or resets a parked
// connection has it closed quietly, its counters and state updated.
func TestParkedPeerLeaves(t *testing.T) {
	for _, how := range []string{"half-close", "reset"} {
		t.Run(how, func(t *testing.T) {
			var closed atomic.Int32
			s := okServer()
			s.Logger = discardLogger()
			s.ConnState = func(_ net.Conn, st ConnState) {
				if st == StateClosed {
					closed.Add(1)
				}
			}
			addr := testTCPServer(t, s)
			c, br := parkedClient(t, s, addr)
			tc := c.(*net.TCPConn)
			if how == "reset" {
				tc.SetLinger(0)
				tc.Close()
			} else {
				tc.CloseWrite()
				waitClosed(t, c, br, 5*time.Second)
			}
			waitFor(t, "the server to close the connection", func() bool {
				return s.Stats().OpenConns == 0 && closed.Load() == 1
			})
			if n := parkedConns(s); n != 0 {
				t.Fatalf("%d parked", n)
			}
		})
	}
}

// TestParkedShutdown: Shutdown closes 1,000 parked connections at once
// and returns quickly.
func TestParkedShutdown(t *testing.T) {
	const n = 1000
	s := okServer()
	addr := testTCPServer(t, s)
	conns := make([]net.Conn, n)
	brs := make([]*bufio.Reader, n)
	for i := range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i], brs[i] = c, bufio.NewReader(c)
		io.WriteString(c, get("/"))
	}
	for i := range n {
		_ = conns[i].SetDeadline(time.Now().Add(20 * time.Second))
		if _, body := exchange(t, conns[i], brs[i], ""); body != "ok" {
			t.Fatalf("conn %d: %q", i, body)
		}
	}
	waitFor(t, "every connection to park", func() bool { return parkedConns(s) == n })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	if o := s.Stats().OpenConns; o != 0 {
		t.Fatalf("%d open after Shutdown", o)
	}
	for i := range n {
		waitClosed(t, conns[i], brs[i], 2*time.Second)
	}
}

// TestParkedClose: Close closes parked connections, and they are counted
// closed.
func TestParkedClose(t *testing.T) {
	s := okServer()
	addr := testTCPServer(t, s)
	c, br := parkedClient(t, s, addr)
	s.Close()
	waitClosed(t, c, br, 2*time.Second)
	waitFor(t, "the connection to be counted closed", func() bool { return s.Stats().OpenConns == 0 })
}

// TestParkedIdleTimeout: a parked connection is closed when IdleTimeout
// has passed, not before; each request starts the idle time again.
func TestParkedIdleTimeout(t *testing.T) {
	const idle = 300 * time.Millisecond
	s := okServer()
	s.IdleTimeout = idle
	addr := testTCPServer(t, s)
	c, br := parkedClient(t, s, addr)
	for range 3 {
		time.Sleep(idle / 2)
		if _, body := exchange(t, c, br, get("/")); body != "ok" {
			t.Fatalf("body %q", body)
		}
	}
	start := time.Now()
	waitClosed(t, c, br, 5*time.Second)
	if d := time.Since(start); d < idle*2/3 {
		t.Fatalf("closed after %v, IdleTimeout %v", d, idle)
	}
	waitFor(t, "the connection to be counted closed", func() bool { return s.Stats().OpenConns == 0 })
}

// TestParkedConnStateAndStats: a parked connection reports idle, active
// on its next request, closed at the end; the counters follow.
func TestParkedConnStateAndStats(t *testing.T) {
	var mu sync.Mutex
	var states []string
	s := okServer()
	s.ConnState = func(_ net.Conn, st ConnState) {
		mu.Lock()
		states = append(states, st.String())
		mu.Unlock()
	}
	addr := testTCPServer(t, s)
	c, br := parkedClient(t, s, addr)
	if st := s.Stats(); st.OpenConns != 1 || st.Requests != 1 || st.RequestsInFlight != 0 {
		t.Fatalf("stats while parked: %+v", st)
	}
	exchange(t, c, br, get("/"))
	waitFor(t, "the connection to park", func() bool { return parkedConns(s) == 1 })
	c.Close()
	waitFor(t, "the close", func() bool { return s.Stats().OpenConns == 0 })
	if st := s.Stats(); st.Requests != 2 || st.AcceptedConns != 1 {
		t.Fatalf("stats: %+v", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := strings.Join(states, " "), "new active idle active idle closed"; got != want {
		t.Fatalf("states %q, want %q", got, want)
	}
}

// TestParkedPipelined: pipelined requests that wake a parked connection
// are all answered, in order.
func TestParkedPipelined(t *testing.T) {
	s := &Server{Handler: func(ctx *RequestCtx) {
		if p := ctx.Path(); string(p) != "/" {
			ctx.Write(p)
			return
		}
		ctx.WriteString("ok")
	}}
	addr := testTCPServer(t, s)
	c, br := parkedClient(t, s, addr)
	io.WriteString(c, get("/a")+get("/b")+get("/c"))
	for _, want := range []string{"/a", "/b", "/c"} {
		if _, body := exchange(t, c, br, ""); body != want {
			t.Fatalf("body %q, want %q", body, want)
		}
	}
}

// doneServer answers "ok", but on /wait signals started and waits for the
// request's Done (or 5 s), then reports ctx.Err (nil: Done did not close)
// on cancelled.
func doneServer() (s *Server, started chan struct{}, cancelled chan error) {
	started = make(chan struct{}, 1)
	cancelled = make(chan error, 1)
	s = &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) != "/wait" {
			ctx.WriteString("ok")
			return
		}
		started <- struct{}{}
		select {
		case <-ctx.Done():
			cancelled <- ctx.Err()
		case <-time.After(5 * time.Second):
			cancelled <- nil
		}
	}}
	return s, started, cancelled
}

// TestParkedDone: RequestCtx.Done still reports a client that leaves
// during a request on a connection that was parked before.
func TestParkedDone(t *testing.T) {
	s, started, cancelled := doneServer()
	addr := testTCPServer(t, s)
	c, _ := parkedClient(t, s, addr)
	io.WriteString(c, get("/wait"))
	<-started
	c.Close()
	if err := <-cancelled; err == nil {
		t.Fatal("Done did not close when the client left")
	}
}

// TestParkedNoGoroutine: an idle keep-alive connection holds no
// goroutine: 1,000 of them add far fewer than 1,000.
func TestParkedNoGoroutine(t *testing.T) {
	const n = 1000
	s := okServer()
	// Idle workers exit soon: what is left is what the connections hold.
	s.init()
	s.workers.Stop()
	s.workers.MaxIdleDuration = 50 * time.Millisecond
	s.workers.Start()
	addr := testTCPServer(t, s)
	// A first connection starts the server's and park's own goroutines.
	parkedClient(t, s, addr)
	waitFor(t, "every worker to exit", func() bool { return s.workers.Running() == 0 })
	before := runtime.NumGoroutine()
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		exchange(t, c, br, get("/"))
	}
	waitFor(t, "every connection to park", func() bool { return parkedConns(s) == n+1 })
	waitFor(t, "every worker to exit", func() bool { return s.workers.Running() == 0 })
	if grew := runtime.NumGoroutine() - before; grew > n/10 {
		t.Fatalf("%d idle connections hold %d goroutines", n, grew)
	}
}

// TestNotParked: in-memory connections keep the blocking wait.
func TestNotParked(t *testing.T) {
	s := okServer()
	ln := testServer(t, s)
	c := dial(t, ln)
	br := bufio.NewReader(c)
	exchange(t, c, br, get("/"))
	time.Sleep(50 * time.Millisecond)
	if n := parkedConns(s); n != 0 {
		t.Fatalf("%d in-memory connections parked", n)
	}
	exchange(t, c, br, get("/"))
}

// TestParkedManyConns parks 10,000 connections, then serves a request on
// a sample of them. The clients run in a child process (this test's
// binary, run again), so that both ends fit under the open-file limit.
func TestParkedManyConns(t *testing.T) {
	if addr := os.Getenv("VOLT_PARK_CLIENT"); addr != "" {
		parkClientMain(addr)
		return
	}
	if testing.Short() {
		t.Skip("-short")
	}
	const n = 10000
	raiseFileLimit()
	s := okServer()
	addr := testTCPServer(t, s)
	cmd := exec.Command(os.Args[0], "-test.run=^TestParkedManyConns$")
	cmd.Env = append(os.Environ(), "VOLT_PARK_CLIENT="+addr, "VOLT_PARK_N="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	out := bufio.NewReader(stdout)
	line := func() string {
		l, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("client: %v", err)
		}
		return strings.TrimSpace(l)
	}
	if l := line(); l != "open" {
		t.Fatalf("client: %s", l)
	}
	waitFor(t, "every connection to park", func() bool { return parkedConns(s) == n })
	if o := s.Stats().OpenConns; o != n {
		t.Fatalf("%d open", o)
	}
	io.WriteString(stdin, "go\n")
	if l := line(); l != "served" {
		t.Fatalf("client: %s", l)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every connection to close", func() bool { return s.Stats().OpenConns == 0 })
}

func raiseFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// parkClientMain is the child of TestParkedManyConns: it opens
// VOLT_PARK_N connections to addr with one request each, says "open",
// waits for "go", sends a second request on every 100th connection, says
// "served", and exits when its input closes.
func parkClientMain(addr string) {
	raiseFileLimit()
	n, _ := strconv.Atoi(os.Getenv("VOLT_PARK_N"))
	fail := func(err error) {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	conns := make([]net.Conn, n)
	brs := make([]*bufio.Reader, n)
	round := func(step int) {
		var wg sync.WaitGroup
		errc := make(chan error, 1)
		sem := make(chan struct{}, 64)
		for i := 0; i < n; i += step {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if conns[i] == nil {
					c, err := net.Dial("tcp", addr)
					if err != nil {
						select {
						case errc <- err:
						default:
						}
						return
					}
					conns[i], brs[i] = c, bufio.NewReader(c)
				}
				c := conns[i]
				_ = c.SetDeadline(time.Now().Add(30 * time.Second))
				io.WriteString(c, get("/"))
				resp, err := readResponse(brs[i])
				if err == nil && resp != "ok" {
					err = fmt.Errorf("body %q", resp)
				}
				if err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}()
		}
		wg.Wait()
		select {
		case err := <-errc:
			fail(err)
		default:
		}
	}
	round(1)
	fmt.Println("open")
	in := bufio.NewReader(os.Stdin)
	if l, _ := in.ReadString('\n'); strings.TrimSpace(l) != "go" {
		os.Exit(1)
	}
	round(100)
	fmt.Println("served")
	io.Copy(io.Discard, in)
	os.Exit(0)
}

// readResponse reads one response with a Content-Length body.
func readResponse(br *bufio.Reader) (string, error) {
	length := -1
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return "", err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	if length < 0 {
		return "", errors.New("no Content-Length")
	}
	b := make([]byte, length)
	_, err := io.ReadFull(br, b)
	return string(b), err
}

// TestHTTP1ConnSize: a parked connection keeps its http1Conn, allocated
// in the runtime's 768-byte size class; a few more bytes move it to the
// 896-byte class, 128 bytes more per idle connection (bench/idlemem saw
// it). Keep new fields in the padding of existing ones.
func TestHTTP1ConnSize(t *testing.T) {
	if n := unsafe.Sizeof(http1Conn{}); n > 768 {
		t.Fatalf("http1Conn is %d bytes: past the 768-byte size class", n)
	}
}

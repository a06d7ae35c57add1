//go:build unix

package prefork

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/testutil"
)

// The tests run the test binary as a preforking program: TestMain calls
// programMain in the parent and in each child it starts.

const programEnv = "PREFORK_TEST_ADDR"

func TestMain(m *testing.M) {
	if addr := os.Getenv(programEnv); addr != "" {
		os.Exit(programMain(addr))
	}
	os.Exit(m.Run())
}

// programMain answers every request with the child's PID; /slow takes a
// second.
func programMain(addr string) int {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			time.Sleep(time.Second)
		}
		fmt.Fprint(ctx, os.Getpid())
	}}
	p := &Prefork{
		Children:     2,
		RestartDelay: 20 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if os.Getenv("PREFORK_TEST_CRASH") == "1" && IsChild() {
		return 3 // every child dies at once
	}
	if err := p.ListenAndServe(addr, srv); err != nil {
		fmt.Fprintln(os.Stderr, "ListenAndServe:", err)
		return 1
	}
	return 0
}

// startProgram starts the preforking program on a free port.
func startProgram(t *testing.T, env ...string) (*exec.Cmd, string, *testutil.Buffer) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), programEnv+"="+addr), env...)
	out := &testutil.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second // children hold the output pipe too
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("program output:\n%s", out.String())
		}
	})
	return cmd, addr, out
}

// get fetches path on a new connection and returns the answering PID.
func get(addr, path string) (int, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	return strconv.Atoi(string(b))
}

// pids fetches until it has seen want distinct PIDs that are not in
// exclude.
func pids(t *testing.T, addr string, want int, exclude map[int]bool) map[int]bool {
	t.Helper()
	seen := map[int]bool{}
	deadline := time.Now().Add(20 * time.Second)
	for len(seen) < want {
		if time.Now().After(deadline) {
			t.Fatalf("saw PIDs %v, want %d new ones", seen, want)
		}
		pid, err := get(addr, "/")
		if err != nil {
			time.Sleep(20 * time.Millisecond) // not listening yet
			continue
		}
		if !exclude[pid] {
			seen[pid] = true
		}
	}
	return seen
}

// alive reports whether pid runs; a zombie (an orphan that init has not
// reaped yet) is not alive.
func alive(pid int) bool {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		i := bytes.LastIndexByte(b, ')')
		return i >= 0 && i+2 < len(b) && b[i+2] != 'Z'
	}
	return syscall.Kill(pid, 0) == nil
}

// listeningFD finds the descriptor of process pid that holds the socket
// listening on addr, through /proc (ok=false where there is none).
func listeningFD(pid int, addr string) (fd int, ok bool) {
	_, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	tcp, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/tcp", pid))
	if err != nil {
		return 0, false
	}
	inode := ""
	for _, line := range strings.Split(string(tcp), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) > 9 && strings.HasSuffix(f[1], fmt.Sprintf(":%04X", p)) && f[3] == "0A" {
			inode = f[9]
		}
	}
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil || inode == "" {
		return 0, false
	}
	for _, e := range entries {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		if err == nil && target == "socket:["+inode+"]" {
			fd, err := strconv.Atoi(e.Name())
			return fd, err == nil
		}
	}
	return 0, false
}

// fdNonBlocking reports whether descriptor fd of process pid has
// O_NONBLOCK set, from /proc (ok=false where that cannot be read).
func fdNonBlocking(pid, fd int) (nonBlocking, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", pid, fd))
	if err != nil {
		return false, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, found := strings.CutPrefix(line, "flags:"); found {
			flags, err := strconv.ParseUint(strings.TrimSpace(v), 8, 64)
			return err == nil && flags&syscall.O_NONBLOCK != 0, err == nil
		}
	}
	return false, false
}

// waitGone waits for the processes to end.
func waitGone(t *testing.T, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("process %d still running", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestPrefork: two children serve, a killed child is replaced, and
// SIGTERM to the parent stops them all after the request in flight is
// answered.
func TestPrefork(t *testing.T) {
	cmd, addr, _ := startProgram(t)
	kids := pids(t, addr, 2, nil)
	if kids[cmd.Process.Pid] {
		t.Fatal("the parent answered")
	}
	var victim, other int
	for pid := range kids {
		if victim == 0 {
			victim = pid
		} else {
			other = pid
		}
	}
	// While the replacement starts, the shared socket stays non-blocking
	// (a blocking one leaves the other child in an accept(2) that its
	// shutdown cannot end): watched through the other child's
	// descriptor for it, where /proc shows it (Linux).
	lnFD, haveFD := listeningFD(other, addr)
	if _, err := os.Stat("/proc/self/fdinfo"); err == nil && !haveFD {
		t.Fatalf("no descriptor of child %d listens on %s", other, addr)
	}
	stopWatch := make(chan struct{})
	blocking := make(chan bool, 1)
	go func() {
		seen := false
		for {
			select {
			case <-stopWatch:
				blocking <- seen
				return
			default:
			}
			if nb, ok := fdNonBlocking(other, lnFD); haveFD && ok && !nb {
				seen = true
			}
			time.Sleep(100 * time.Microsecond)
		}
	}()
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// A new child appears; the other one still serves.
	fresh := pids(t, addr, 1, map[int]bool{victim: true, other: true})
	close(stopWatch)
	if <-blocking {
		t.Error("the listening socket was blocking while a child restarted")
	}
	if !alive(other) {
		t.Fatal("the other child died")
	}
	var replacement int
	for pid := range fresh {
		replacement = pid
	}

	type result struct {
		pid int
		err error
	}
	slow := make(chan result, 1)
	go func() {
		pid, err := get(addr, "/slow")
		slow <- result{pid, err}
	}()
	time.Sleep(300 * time.Millisecond) // the request is in its handler
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-slow
	if r.err != nil || (r.pid != other && r.pid != replacement) {
		t.Fatalf("in-flight request: pid %d, %v", r.pid, r.err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("parent exited with %v", err)
		}
	case <-time.After(15 * time.Second):
		// Goroutine dumps of whoever still runs go to the output the
		// test logs when it fails.
		for _, pid := range []int{cmd.Process.Pid, other, replacement} {
			if alive(pid) {
				t.Logf("process %d still running", pid)
				_ = syscall.Kill(pid, syscall.SIGQUIT)
			}
		}
		time.Sleep(time.Second)
		t.Fatal("parent still running 15 s after SIGTERM")
	}
	waitGone(t, other, replacement)
}

// TestPreforkOrphans: children whose parent is killed shut down.
func TestPreforkOrphans(t *testing.T) {
	cmd, addr, _ := startProgram(t)
	kids := pids(t, addr, 2, nil)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for pid := range kids {
		waitGone(t, pid)
	}
}

// TestPreforkShutdown stops a parent running in this process with
// Shutdown.
func TestPreforkShutdown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv(programEnv, addr) // the children run programMain
	p := &Prefork{Children: 1, Logger: slog.New(slog.DiscardHandler)}
	errc := make(chan error, 1)
	go func() { errc <- p.ListenAndServe(addr, nil) }()
	kids := pids(t, addr, 1, nil)
	p.Shutdown()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ListenAndServe still running")
	}
	for pid := range kids {
		waitGone(t, pid)
	}
}

// TestPreforkTooManyRestarts: children that die at once make the parent
// give up.
func TestPreforkTooManyRestarts(t *testing.T) {
	cmd, _, out := startProgram(t, "PREFORK_TEST_CRASH=1")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Fatalf("parent exited with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("parent still running")
	}
	if !bytes.Contains([]byte(out.String()), []byte(ErrTooManyRestarts.Error())) {
		t.Fatalf("output: %s", out.String())
	}
}

func TestIsChild(t *testing.T) {
	if IsChild() {
		t.Fatal("the test process is not a child")
	}
}

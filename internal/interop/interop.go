// Package interop runs the outside programs of the interop test suites
// (nginx, php-fpm, haproxy, curl, ...): the gate on VOLT_INTEROP, the
// lookup of a program, and the start and stop of a server program for one
// test.
//
// The suites run with VOLT_INTEROP=1; then a missing program fails the
// test, it never skips it. Without it, tests that need a program skip
// with a message naming it.
package interop

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Enabled reports whether the interop suites run (VOLT_INTEROP=1).
func Enabled() bool { return os.Getenv("VOLT_INTEROP") == "1" }

// Program returns the path of the first of names found on PATH, in
// /usr/sbin or /usr/bin (Debian puts servers in /usr/sbin, which a
// user's PATH may lack), or in $(go env GOPATH)/bin (programs installed
// with go install). Without VOLT_INTEROP=1 it skips the test; with
// it, a program that is missing fails the test.
func Program(t testing.TB, names ...string) string {
	t.Helper()
	if !Enabled() {
		t.Skip("set VOLT_INTEROP=1 to run tests that drive " + strings.Join(names, " or "))
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	for _, name := range names {
		for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
			p := filepath.Join(dir, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p
			}
		}
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
			for _, name := range names {
				p := filepath.Join(dir, "bin", name)
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
					return p
				}
			}
		}
	}
	t.Fatalf("VOLT_INTEROP=1 but %s is missing", strings.Join(names, " or "))
	return ""
}

// FreePort returns a loopback TCP port that was free a moment ago, for a
// program to bind.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start runs cmd (a server program kept in the foreground) until the test
// ends. It returns once every address of addrs accepts a connection
// ("host:port", or "unix:/path"), and fails the test if the program exits
// first or does not listen within 10 s. When the test ends the program
// gets stop (its graceful stop signal) and is killed 10 s later; if the
// test failed, its output and the files of logs are logged.
func Start(t testing.TB, cmd *exec.Cmd, stop os.Signal, addrs []string, logs ...string) {
	t.Helper()
	name := filepath.Base(cmd.Path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	report := func() string {
		s := fmt.Sprintf("%s output:\n%s", name, out.String())
		for _, f := range logs {
			b, _ := os.ReadFile(f)
			s += fmt.Sprintf("\n%s:\n%s", filepath.Base(f), b)
		}
		return s
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(stop)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("%s did not stop within 10 s of %v", name, stop)
		}
		if t.Failed() {
			t.Log(report())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for _, addr := range addrs {
		network := "tcp"
		if p, ok := strings.CutPrefix(addr, "unix:"); ok {
			network, addr = "unix", p
		}
		for {
			c, err := net.DialTimeout(network, addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-exited:
				t.Fatalf("%s exited before listening on %s\n%s", name, addr, report())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s does not listen on %s: %v", name, addr, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// SIGQUIT is the graceful stop of nginx and php-fpm.
var SIGQUIT os.Signal = syscall.SIGQUIT

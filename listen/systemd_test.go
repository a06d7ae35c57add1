//go:build linux

package listen

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests re-execute the test binary through sh, which exports its own
// process ID as LISTEN_PID before it execs, as systemd does; TestMain
// runs helperMain in that process.

const helperEnv = "LISTEN_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Unsetenv(helperEnv)
		helperMain(mode)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperMain is the socket-activated process: it reports on stdout what
// it found.
func helperMain(mode string) {
	switch mode {
	case "files":
		files, err := SystemdFiles()
		if err != nil {
			fmt.Println("error", err)
			return
		}
		for _, f := range files {
			flags, _, _ := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFD, 0)
			fmt.Println(f.Name(), f.Fd(), flags&syscall.FD_CLOEXEC != 0)
		}
		fmt.Printf("env %q %q %q\n", os.Getenv("LISTEN_PID"), os.Getenv("LISTEN_FDS"), os.Getenv("LISTEN_FDNAMES"))
		again, err := SystemdFiles()
		fmt.Println("again", len(again), err)
	case "names":
		m, err := SystemdNames()
		if err != nil {
			fmt.Println("error", err)
			return
		}
		var names []string
		for name := range m {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			for _, ln := range m[name] {
				fmt.Println(name, ln.Addr())
			}
		}
		fmt.Println("ready")
		// Answer one connection per listener with its name.
		for _, name := range names {
			for _, ln := range m[name] {
				c, err := ln.Accept()
				if err != nil {
					fmt.Println("error", err)
					return
				}
				io.WriteString(c, name)
				c.Close()
			}
		}
	case "listeners":
		lns, err := Systemd()
		fmt.Println(len(lns), err)
	}
}

// activate runs helperMain(mode) with files as descriptors 3, 4, ... and
// env added, and returns its stdout as it comes.
func activate(t *testing.T, mode string, files []*os.File, env ...string) (*bufio.Scanner, func() string) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", `export LISTEN_PID=$$; exec "$0" "$@"`, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Env = append(cmd.Env, env...)
	cmd.ExtraFiles = files
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	timer := time.AfterFunc(10*time.Second, func() { cmd.Process.Kill() })
	rest := func() string {
		var b strings.Builder
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
		timer.Stop()
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper: %v", err)
		}
		return b.String()
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return sc, rest
}

func tcpFile(t *testing.T) (*os.File, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, ln.Addr().String()
}

// TestSystemdNames serves on two activated sockets found by name.
func TestSystemdNames(t *testing.T) {
	web, webAddr := tcpFile(t)
	admin, adminAddr := tcpFile(t)
	web2, web2Addr := tcpFile(t)
	sc, rest := activate(t, "names", []*os.File{web, admin, web2}, "LISTEN_FDS=3", "LISTEN_FDNAMES=web:admin:web")
	var lines []string
	for sc.Scan() && sc.Text() != "ready" {
		lines = append(lines, sc.Text())
	}
	want := []string{"admin " + adminAddr, "web " + webAddr, "web " + web2Addr}
	if !slices.Equal(lines, want) {
		t.Fatalf("got %q, want %q", lines, want)
	}
	// Dial all first: the helper accepts in its own order.
	conns := map[string]net.Conn{}
	for addr, name := range map[string]string{adminAddr: "admin", webAddr: "web", web2Addr: "web"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[name+" "+addr] = c
	}
	for want, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, err := io.ReadAll(c)
		if err != nil || !strings.HasPrefix(want, string(b)+" ") {
			t.Fatalf("%s answered %q, %v", want, b, err)
		}
	}
	if r := rest(); r != "" {
		t.Fatalf("helper: %q", r)
	}
}

// TestSystemdFiles checks close-on-exec, the names, and that the
// variables are consumed.
func TestSystemdFiles(t *testing.T) {
	a, _ := tcpFile(t)
	b, _ := tcpFile(t)
	_, rest := activate(t, "files", []*os.File{a, b}, "LISTEN_FDS=2")
	want := "unknown 3 true\nunknown 4 true\nenv \"\" \"\" \"\"\nagain 0 <nil>\n"
	if got := rest(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSystemdNotActivated(t *testing.T) {
	a, _ := tcpFile(t)
	for name, env := range map[string][]string{
		"other process": {"LISTEN_FDS=1", "LISTEN_PID=1"},
		"no variables":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=listeners")
			cmd.Env = append(cmd.Env, env...)
			cmd.ExtraFiles = []*os.File{a}
			out, err := cmd.Output()
			if err != nil || string(out) != "0 <nil>\n" {
				t.Fatalf("%q, %v", out, err)
			}
		})
	}
}

func TestSystemdMalformed(t *testing.T) {
	a, _ := tcpFile(t)
	for name, env := range map[string][]string{
		"bad count":  {"LISTEN_FDS=x"},
		"no count":   nil,
		"names":      {"LISTEN_FDS=1", "LISTEN_FDNAMES=a:b"},
		"huge count": {"LISTEN_FDS=100000"},
		"negative":   {"LISTEN_FDS=-1"},
	} {
		t.Run(name, func(t *testing.T) {
			_, rest := activate(t, "listeners", []*os.File{a}, env...)
			if got := rest(); got != "0 "+ErrSystemdEnv.Error()+"\n" {
				t.Fatalf("%q", got)
			}
		})
	}
}

// TestSystemdNotListener fails for a descriptor that is not a listening
// socket.
func TestSystemdNotListener(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	_, rest := activate(t, "listeners", []*os.File{r}, "LISTEN_FDS=1")
	if got := rest(); !strings.HasPrefix(got, "0 socket activation unknown:") {
		t.Fatalf("%q", got)
	}
}

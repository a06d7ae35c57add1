package proxyproto_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/proxyproto"
)

// interop reports whether the outside-program suites run: VOLT_INTEROP=1.
// With it set, a missing program fails the test.
func interop(t *testing.T, program string) string {
	t.Helper()
	if os.Getenv("VOLT_INTEROP") != "1" {
		t.Skip("set VOLT_INTEROP=1 to run tests that drive " + program)
	}
	path, err := exec.LookPath(program)
	if err != nil {
		t.Fatalf("VOLT_INTEROP=1 but %s is missing: %v", program, err)
	}
	return path
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestHAProxy puts haproxy in front of a volt server, once with
// send-proxy (version 1) and once with send-proxy-v2, and checks that the
// handler sees the client's address and source port.
func TestHAProxy(t *testing.T) {
	haproxy := interop(t, "haproxy")
	var version atomic.Int32 // of the last header seen
	backend := serve(t, proxyproto.Config{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, &volt.Server{
		ConnState: func(c net.Conn, st volt.ConnState) {
			if pc, ok := c.(*proxyproto.Conn); ok && st == volt.StateNew && pc.Header() != nil {
				version.Store(int32(pc.Header().Version))
			}
		},
	})
	v1, v2 := freePort(t), freePort(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global
	maxconn 64
defaults
	mode http
	timeout connect 5s
	timeout client 10s
	timeout server 10s
frontend v1
	bind 127.0.0.1:%d
	default_backend v1
frontend v2
	bind 127.0.0.1:%d
	default_backend v2
backend v1
	server s1 %s send-proxy
backend v2
	server s2 %s send-proxy-v2
`, v1, v2, backend, backend)
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, haproxy, "-f", path, "-db")
	cmd.Dir = dir
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("haproxy output:\n%s", out.String())
		}
	})
	for i, port := range []int{v1, v2} {
		t.Run([]string{"send-proxy", "send-proxy-v2"}[i], func(t *testing.T) {
			waitListening(t, port)
			var local string
			client := &http.Client{Transport: &http.Transport{
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
					if err == nil {
						local = c.LocalAddr().String()
					}
					return c, err
				},
			}}
			defer client.CloseIdleConnections()
			resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := fmt.Sprintf("%s 127.0.0.1:%d", local, port)
			if resp.StatusCode != 200 || string(body) != want {
				t.Fatalf("%d %q, want %q", resp.StatusCode, body, want)
			}
			if v := version.Load(); v != int32(i+1) {
				t.Fatalf("header version %d", v)
			}
		})
	}
}

func waitListening(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy not listening on %d: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b = append(b.b, p...)
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.b)
}

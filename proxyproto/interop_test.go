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
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/interop"
	"github.com/volthttp/volt/proxyproto"
)

// TestHAProxy puts haproxy in front of a volt server, once with
// send-proxy (version 1) and once with send-proxy-v2, and checks that the
// handler sees the client's address and source port.
func TestHAProxy(t *testing.T) {
	haproxy := interop.Program(t, "haproxy")
	var version atomic.Int32 // of the last header seen
	backend := serve(t, proxyproto.Config{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, &volt.Server{
		ConnState: func(c net.Conn, st volt.ConnState) {
			if pc, ok := c.(*proxyproto.Conn); ok && st == volt.StateNew && pc.Header() != nil {
				version.Store(int32(pc.Header().Version))
			}
		},
	})
	v1, v2 := interop.FreePort(t), interop.FreePort(t)
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
	cmd := exec.Command(haproxy, "-f", path, "-db")
	cmd.Dir = dir
	interop.Start(t, cmd, syscall.SIGUSR1, []string{fmt.Sprintf("127.0.0.1:%d", v1), fmt.Sprintf("127.0.0.1:%d", v2)})
	for i, port := range []int{v1, v2} {
		t.Run([]string{"send-proxy", "send-proxy-v2"}[i], func(t *testing.T) {
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

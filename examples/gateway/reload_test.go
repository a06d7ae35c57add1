package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/testutil"
)

// reloadConfig is a configuration serving root.
func reloadConfig(root string) string {
	return `{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [{"root": ` + jsonString(root) + `}]}`
}

// keepAliveGet sends a GET for path on conn and reads the response.
func keepAliveGet(t *testing.T, conn net.Conn, br *bufio.Reader, path string) *http.Response {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestReloadKeepsConnections reloads the configuration while a large
// response is being read on a keep-alive connection: the response
// completes, and the connection's next request is served by the new
// configuration.
func TestReloadKeepsConnections(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	writeFile(t, dir, "v1/big.bin", string(big))
	writeFile(t, dir, "v1/v.txt", "v1")
	writeFile(t, dir, "v2/v.txt", "v2")
	g := startGateway(t, reloadConfig(filepath.Join(dir, "v1")))

	conn, err := net.Dial("tcp", g.Addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	resp := keepAliveGet(t, conn, br, "/big.bin")
	head := make([]byte, 1024)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(g.file, []byte(reloadConfig(filepath.Join(dir, "v2"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(append(head, rest...), big) {
		t.Fatalf("the response in flight: %d bytes, %v", len(head)+len(rest), err)
	}
	resp = keepAliveGet(t, conn, br, "/v.txt")
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "v2" {
		t.Fatalf("after the reload, on the same connection: %q", body)
	}
}

// TestReloadBadConfig checks that a reload of an invalid file, or one
// that changes the listeners, is refused with the error and the running
// configuration kept.
func TestReloadBadConfig(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "v.txt", "v1")
	g := startGateway(t, reloadConfig(dir))
	for _, tc := range []struct{ config, want string }{
		{"{\"listeners\": [{\"addr\": \"127.0.0.1:0\"}],\n \"sites\": [{\"root\": 1}]}", "gateway.json:2:21: sites[0].root: want a directory name"},
		{`{"listeners": [{"addr": "127.0.0.1:1"}], "sites": [{}]}`, "gateway.json:1:15: listeners: changed: a reload keeps the listeners; restart the gateway to change them"},
	} {
		if err := os.WriteFile(g.file, []byte(tc.config), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := g.Reload(); err == nil || err.Error() != tc.want {
			t.Errorf("reload: %v, want %s", err, tc.want)
		}
		if _, body := get(t, testClient(t), "http://"+g.Addrs()[0]+"/v.txt", ""); body != "v1" {
			t.Errorf("after a refused reload: %q", body)
		}
	}
}

// TestSIGHUP runs the program, sends it SIGHUP after changing its file,
// and checks the new configuration serves while a keep-alive connection
// opened before goes on; then it stops it.
func TestSIGHUP(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "v1/v.txt", "v1")
	writeFile(t, dir, "v2/v.txt", "v2")
	file := writeFile(t, dir, "gateway.json", reloadConfig(filepath.Join(dir, "v1")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan *gateway, 1)
	var out testutil.Buffer
	exit := make(chan int, 1)
	go func() { exit <- run(ctx, []string{"-config", file}, &out, func(g *gateway) { ready <- g }) }()
	var g *gateway
	select {
	case g = <-ready:
	case code := <-exit:
		t.Fatalf("exit %d: %s", code, out.String())
	}
	conn, err := net.Dial("tcp", g.Addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	read := func() string {
		resp := keepAliveGet(t, conn, br, "/v.txt")
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if v := read(); v != "v1" {
		t.Fatalf("before: %q", v)
	}
	if err := os.WriteFile(file, []byte(reloadConfig(filepath.Join(dir, "v2"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if v := read(); v == "v2" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP: %q; log: %s", v, out.String())
		}
	}
	if !strings.Contains(out.String(), "configuration reloaded") {
		t.Errorf("log: %s", out.String())
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after cancel")
	}
}

// TestNoGoroutineLeft checks that a gateway with proxies (health checks
// running) leaves no goroutine behind after reloads and its shutdown.
func TestNoGoroutineLeft(t *testing.T) {
	up1, up2 := upstreamServer(t, "one"), upstreamServer(t, "two")
	config := `{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [{"locations": [
  {"path": "/", "kind": "proxy", "upstreams": ["http://` + up1 + `", "http://` + up2 + `"], "health_check": "/"}]}]}`
	serve := func(t *testing.T) {
		g := startGateway(t, config)
		c := testClient(t)
		for range 2 {
			for range 4 {
				if resp, _ := get(t, c, "http://"+g.Addrs()[0]+"/x", ""); resp.StatusCode != 200 {
					t.Fatal(resp.Status)
				}
			}
			if err := g.Reload(); err != nil {
				t.Fatal(err)
			}
		}
		c.CloseIdleConnections()
	}
	t.Run("warm-up", serve) // the upstreams' worker pools, volt's poller
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()
	t.Run("gateway", serve)
	var after int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if after = runtime.NumGoroutine(); after <= before {
			return
		}
	}
	buf := make([]byte, 1<<20)
	t.Fatalf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
}

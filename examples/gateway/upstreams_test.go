package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/testutil"
	"github.com/volthttp/volt/websocket"
)

// runGateway runs the program with args until the end of the test and
// returns its gateway.
func runGateway(t *testing.T, args ...string) *gateway {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *gateway, 1)
	exited := make(chan struct{})
	code := 0
	out := new(testutil.Buffer)
	go func() {
		code = run(ctx, args, out, func(g *gateway) { ready <- g })
		close(exited)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Error("the gateway does not stop")
		}
	})
	select {
	case g := <-ready:
		return g
	case <-exited:
		t.Fatalf("exit %d: %s", code, out.String())
	}
	return nil
}

// wsUpstream starts a volt server that echoes WebSocket messages on /ws
// and answers "upstream URI" otherwise; it returns its address.
func wsUpstream(t *testing.T) string {
	t.Helper()
	var up websocket.Upgrader
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/ws" {
			_ = up.Upgrade(ctx, func(c *websocket.Conn) {
				for {
					mt, msg, err := c.ReadMessage()
					if err != nil {
						return
					}
					if err := c.WriteMessage(mt, append([]byte("echo "), msg...)); err != nil {
						return
					}
				}
			})
			return
		}
		fmt.Fprintf(ctx, "upstream %s %s", ctx.Method(), ctx.Request.Header.RequestURI())
	}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestProxyMode runs "gateway -addr -proxy" in front of a volt server:
// plain requests and a WebSocket go through.
func TestProxyMode(t *testing.T) {
	up := wsUpstream(t)
	g := runGateway(t, "-addr", "127.0.0.1:0", "-proxy", "http://"+up)
	base := "http://" + g.Addrs()[0]
	c := testClient(t)
	if resp, body := get(t, c, base+"/a/b?c=d", ""); resp.StatusCode != 200 || body != "upstream GET /a/b?c=d" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := websocket.Dial(ctx, "ws://"+g.Addrs()[0]+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, m := range []string{"one", "two"} {
		if err := ws.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
			t.Fatal(err)
		}
		if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "echo "+m {
			t.Fatalf("%q, %v", msg, err)
		}
	}
}

// TestProxyLocation checks a proxy location with two upstreams and
// strip_prefix, behind a rewrite.
func TestProxyLocation(t *testing.T) {
	up1, up2 := upstreamServer(t, "one"), upstreamServer(t, "two")
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{
    "rewrites": [{"regexp": "^/v1/(.*)$", "to": "/api/$1"}],
    "locations": [{"path": "/api/", "kind": "proxy", "strip_prefix": true, "upstreams": ["http://`+up1+`", "http://`+up2+`"]}]
  }]
}`)
	c := testClient(t)
	seen := map[string]bool{}
	for i := range 6 {
		path, want := "/api/x?y=1", "/x?y=1"
		if i%2 == 1 {
			path, want = "/v1/z/w?q", "/z/w?q"
		}
		resp, body := get(t, c, "http://"+g.Addrs()[0]+path, "")
		name, uri, _ := strings.Cut(body, " ")
		if resp.StatusCode != 200 || uri != want {
			t.Fatalf("%s: %d %q, want %q", path, resp.StatusCode, body, want)
		}
		seen[name] = true
	}
	if !seen["one"] || !seen["two"] {
		t.Errorf("upstreams used: %v", seen)
	}
}

// TestProxyTimeout checks that an upstream slower than the location's
// response timeout gets the client 504.
func TestProxyTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	slow := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
		}
	}}
	go slow.Serve(ln)
	defer slow.Close()
	g := startGateway(t, `{
  "listeners": [{"addr": "127.0.0.1:0"}],
  "sites": [{"locations": [{"path": "/", "kind": "proxy", "upstreams": ["http://`+ln.Addr().String()+`"], "timeouts": {"response": "100ms"}}]}]
}`)
	if resp, _ := get(t, testClient(t), "http://"+g.Addrs()[0]+"/", ""); resp.StatusCode != 504 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// TestReloadKeepsWebSocket checks that a WebSocket proxied by the
// gateway stays open across a reload.
func TestReloadKeepsWebSocket(t *testing.T) {
	up := wsUpstream(t)
	config := func(extra string) string {
		return `{"listeners": [{"addr": "127.0.0.1:0"}], "sites": [{"locations": [` + extra +
			`{"path": "/", "kind": "proxy", "upstreams": ["http://` + up + `"]}]}]}`
	}
	g := startGateway(t, config(""))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := websocket.Dial(ctx, "ws://"+g.Addrs()[0]+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	echo := func(m string) {
		t.Helper()
		if err := ws.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
			t.Fatal(err)
		}
		if _, msg, err := ws.ReadMessage(); err != nil || string(msg) != "echo "+m {
			t.Fatalf("%q, %v", msg, err)
		}
	}
	echo("before")
	if err := os.WriteFile(g.file, []byte(config(`{"path": "/new", "kind": "redirect", "to": "/"},`)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := g.Reload(); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(t, testClient(t), "http://"+g.Addrs()[0]+"/new", ""); resp.StatusCode != 302 {
		t.Fatalf("the new configuration: %d", resp.StatusCode)
	}
	time.Sleep(100 * time.Millisecond) // the old generation is retired
	echo("after")
}

// TestFastCGIMode runs "gateway -root -fastcgi" in front of a FastCGI
// responder (net/http/fcgi): scripts go to it, other files are served
// from the root.
func TestFastCGIMode(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "index.php", "")
	writeFile(t, dir, "app.php", "")
	writeFile(t, dir, "style.css", "body{}")
	sock := filepath.Join(t.TempDir(), "fcgi.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go fcgi.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env := fcgi.ProcessEnv(r)
		// net/http/cgi takes SCRIPT_NAME and PATH_INFO out of the
		// environment; PATH_TRANSLATED is DOCUMENT_ROOT and PATH_INFO.
		w.Header().Set("X-Script", env["SCRIPT_FILENAME"])
		fmt.Fprintf(w, "script %s translated %s query %s", env["SCRIPT_FILENAME"], env["PATH_TRANSLATED"], r.URL.RawQuery)
	}))
	g := runGateway(t, "-addr", "127.0.0.1:0", "-root", dir, "-fastcgi", "unix:"+sock)
	base := "http://" + g.Addrs()[0]
	c := testClient(t)
	if resp, body := get(t, c, base+"/app.php/more?a=1", ""); resp.StatusCode != 200 || body != "script "+filepath.Join(dir, "app.php")+" translated "+filepath.Join(dir, "more")+" query a=1" {
		t.Fatalf("script: %d %q", resp.StatusCode, body)
	}
	if resp, body := get(t, c, base+"/", ""); resp.StatusCode != 200 || resp.Header.Get("X-Script") != filepath.Join(dir, "index.php") {
		t.Fatalf("index: %d %q %q", resp.StatusCode, resp.Header.Get("X-Script"), body)
	}
	if resp, body := get(t, c, base+"/style.css", ""); resp.StatusCode != 200 || body != "body{}" {
		t.Fatalf("static: %d %q", resp.StatusCode, body)
	}
}

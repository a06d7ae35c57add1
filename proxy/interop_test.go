package proxy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// interop reports whether the outside-program suites run: VOLT_INTEROP=1.
// With it set, a missing program fails the test; without it, the test is
// skipped.
func interop(t *testing.T, program string) string {
	t.Helper()
	if os.Getenv("VOLT_INTEROP") != "1" {
		t.Skip("set VOLT_INTEROP=1 to run tests that drive " + program)
	}
	path, err := exec.LookPath(program)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
			if p := filepath.Join(dir, program); fileExists(p) {
				return p
			}
		}
		t.Fatalf("VOLT_INTEROP=1 but %s is missing: %v", program, err)
	}
	return path
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startNginx runs nginx with testdata/nginx.conf on a free loopback port,
// serving files (by name) from its html directory, until the test ends.
func startNginx(t *testing.T, files map[string][]byte) string {
	t.Helper()
	bin := interop(t, "nginx")
	dir := t.TempDir()
	for name, b := range files {
		p := filepath.Join(dir, "html", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmpl, err := template.ParseFiles("testdata/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	var conf bytes.Buffer
	if err := tmpl.Execute(&conf, map[string]any{"Dir": dir, "Port": port, "AsRoot": os.Geteuid() == 0}); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	errLog := filepath.Join(dir, "error.log")
	cmd := exec.Command(bin, "-p", dir, "-c", confPath, "-e", errLog, "-g", "daemon off;")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Error("nginx did not stop within 10 s of SIGQUIT")
		}
		if t.Failed() {
			logged, _ := os.ReadFile(errLog)
			t.Logf("nginx output:\n%s\nerror.log:\n%s", out.String(), logged)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		select {
		case err := <-exited:
			t.Fatalf("nginx exited: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen on %s within 10 s", addr)
		}
	}
}

// The proxy in front of nginx: a static file, the fields nginx receives,
// a POST body, an upload stored with PUT and read back, and a large
// download.
func TestInteropNginxUpstream(t *testing.T) {
	big := make([]byte, 48<<20)
	(&patternReader{left: int64(len(big))}).Read(big)
	up := startNginx(t, map[string][]byte{"index.html": []byte("<h1>nginx</h1>\n"), "big.bin": big})
	addr, _, logs := front(t, Config{Upstreams: []string{"http://" + up}})
	base := "http://" + addr

	resp, body := get(t, base+"/index.html")
	if resp.StatusCode != 200 || body != "<h1>nginx</h1>\n" || resp.Header.Get("Server") == "" {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}
	if v := resp.Header.Values("Via"); len(v) != 1 || v[0] != "1.1 volt" {
		t.Errorf("Via %q", v)
	}

	_, body = get(t, base+"/headers", "X-Forwarded-For", "6.6.6.6", "Connection", "keep-alive, X-Drop", "X-Drop", "1")
	if body != "xff=127.0.0.1 proto=http via=1.1 volt fwd=for=127.0.0.1;host=\""+addr+"\";proto=http conn=\n" {
		t.Errorf("nginx received %q", body)
	}

	resp, err := http.Post(base+"/post", "application/x-www-form-urlencoded", strings.NewReader("a=1&b=two"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "posted\n" || resp.Header.Get("X-Echo-Body") != "a=1&b=two" {
		t.Errorf("POST: %d %q echo %q", resp.StatusCode, b, resp.Header.Get("X-Echo-Body"))
	}

	upload := bytes.Repeat([]byte("upload-"), 2<<20)
	req, _ := http.NewRequest("PUT", base+"/up/file.bin", bytes.NewReader(upload))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 && resp.StatusCode != 204 {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	if _, body := get(t, base+"/up/file.bin"); body != string(upload) {
		t.Errorf("PUT then GET: %d bytes back of %d", len(body), len(upload))
	}

	resp, err = http.Get(base + "/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	resp.Body.Close()
	if err != nil || n != int64(len(big)) || resp.ContentLength != int64(len(big)) || !bytes.Equal(h.Sum(nil), sum(big)) {
		t.Errorf("large download: %d of %d bytes (Content-Length %d), %v", n, len(big), resp.ContentLength, err)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("proxy log: %s", logs)
	}
}

func sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// wsClientScript is a python3-websockets client: it sends a text and a
// 1 MiB binary message through the proxy, expects them echoed, and
// closes normally.
const wsClientScript = `
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1], max_size=4 << 20) as ws:
        await ws.send("hello")
        got = await ws.recv()
        assert got == "echo: hello", got
        blob = bytes(range(256)) * 4096
        await ws.send(blob)
        got = await ws.recv()
        assert got == b"echo: " + blob, len(got)
        await ws.close()
    print("OK")
asyncio.run(main())
`

// The proxy in front of a volt server, driven by curl and by a
// python3-websockets client whose WebSocket passes through the proxy.
func TestInteropVoltUpstreamCurlAndPython(t *testing.T) {
	curl := interop(t, "curl")
	python := "/usr/bin/python3"
	if os.Getenv("VOLT_INTEROP") == "1" && exec.Command(python, "-c", "import websockets").Run() != nil {
		t.Fatal("VOLT_INTEROP=1 but /usr/bin/python3 cannot import websockets (apt-get install python3-websockets)")
	}
	var upgrader websocket.Upgrader
	up := serve(t, &volt.Server{StreamRequestBody: true, MaxRequestBodySize: -1, Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/ws":
			_ = upgrader.Upgrade(ctx, func(c *websocket.Conn) {
				for {
					mt, msg, err := c.ReadMessage()
					if err != nil {
						return
					}
					if c.WriteMessage(mt, append([]byte("echo: "), msg...)) != nil {
						return
					}
				}
			})
		case "/sum":
			h := sha256.New()
			n, _ := io.Copy(h, ctx.Request.BodyStream())
			fmt.Fprintf(ctx, "%d %x expect=%s", n, h.Sum(nil), ctx.Request.Header.Peek("Expect"))
		default:
			echoHeaders(ctx)
		}
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	base := "http://" + addr
	run := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, curl, append([]string{"-sS", "--max-time", "20"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := run("-H", "X-Forwarded-For: 6.6.6.6", base+"/hdr")
	if v := headerLines(out, "X-Forwarded-For"); len(v) != 1 || v[0] != "127.0.0.1" {
		t.Errorf("curl GET: upstream X-Forwarded-For %q\n%s", v, out)
	}
	file := filepath.Join(t.TempDir(), "up.bin")
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<20)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// curl sends a body this large with Expect: 100-continue.
	out = run("--data-binary", "@"+file, base+"/sum")
	if want := fmt.Sprintf("%d %x expect=100-continue", len(data), sha256.Sum256(data)); out != want {
		t.Errorf("curl upload: %q, want %q", out, want)
	}
	out = run("-T", file, "-H", "Transfer-Encoding: chunked", base+"/sum")
	if want := fmt.Sprintf("%d %x", len(data), sha256.Sum256(data)); !strings.HasPrefix(out, want) {
		t.Errorf("curl chunked upload: %q, want %q", out, want)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	py, err := exec.CommandContext(ctx, python, "-c", wsClientScript, "ws://"+addr+"/ws").CombinedOutput()
	if err != nil || strings.TrimSpace(string(py)) != "OK" {
		t.Errorf("python3 websockets client through the proxy: %v\n%s", err, py)
	}
}

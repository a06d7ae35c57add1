package volt

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/interop"
)

// interopHandler serves the paths the interop tests use.
func interopHandler(ctx *RequestCtx) {
	switch string(ctx.Path()) {
	case "/hello":
		ctx.SetContentType("text/plain")
		ctx.WriteString("Hello, World!")
	case "/sum":
		fmt.Fprintf(ctx, "%d %x", len(ctx.PostBody()), sha256.Sum256(ctx.PostBody()))
	case "/stream":
		for i := 0; i < 5; i++ {
			fmt.Fprintf(ctx, "part %d\n", i)
			ctx.Flush()
		}
	default:
		ctx.NotFound()
	}
}

// TestNetHTTPClient drives the server with Go's net/http client: GET,
// HEAD, a chunked POST, a 10 MiB upload, 1,000 requests on one keep-alive
// connection, and Expect: 100-continue.
func TestNetHTTPClient(t *testing.T) {
	s := &Server{Handler: interopHandler, MaxRequestBodySize: 32 << 20}
	addr := testTCPServer(t, s)
	base := "http://" + addr
	tr := &http.Transport{MaxIdleConnsPerHost: 1, ExpectContinueTimeout: 5 * time.Second}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	do := func(req *http.Request) (*http.Response, string) {
		t.Helper()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	req, _ := http.NewRequest("GET", base+"/hello", nil)
	if resp, body := do(req); resp.StatusCode != 200 || body != "Hello, World!" {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}
	req, _ = http.NewRequest("HEAD", base+"/hello", nil)
	if resp, body := do(req); resp.ContentLength != 13 || body != "" {
		t.Fatalf("HEAD: %d %q", resp.ContentLength, body)
	}
	req, _ = http.NewRequest("POST", base+"/sum", io.MultiReader(strings.NewReader("chunked body")))
	if resp, body := do(req); resp.StatusCode != 200 || body != fmt.Sprintf("12 %x", sha256.Sum256([]byte("chunked body"))) || req.ContentLength != 0 {
		t.Fatalf("chunked POST: %d %q", resp.StatusCode, body)
	}
	big := bytes.Repeat([]byte("0123456789"), 1<<20)
	req, _ = http.NewRequest("POST", base+"/sum", bytes.NewReader(big))
	req.Header.Set("Expect", "100-continue")
	if _, body := do(req); body != fmt.Sprintf("%d %x", len(big), sha256.Sum256(big)) {
		t.Fatalf("10 MiB upload with 100-continue: %q", body)
	}
	req, _ = http.NewRequest("GET", base+"/stream", nil)
	if _, body := do(req); body != "part 0\npart 1\npart 2\npart 3\npart 4\n" {
		t.Fatalf("stream: %q", body)
	}
	before := s.Stats().AcceptedConns
	for i := 0; i < 1000; i++ {
		req, _ = http.NewRequest("GET", base+"/hello", nil)
		if _, body := do(req); body != "Hello, World!" {
			t.Fatalf("request %d: %q", i, body)
		}
	}
	if n := s.Stats().AcceptedConns - before; n > 1 {
		t.Fatalf("1,000 keep-alive requests used %d new connections", n)
	}
}

// TestRawPipelining sends 100 pipelined requests on a TCP connection in
// one write and checks the 100 responses in order.
func TestRawPipelining(t *testing.T) {
	addr := testTCPServer(t, &Server{Handler: func(ctx *RequestCtx) { ctx.Write(ctx.Path()) }})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var b strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "GET /r%d HTTP/1.1\r\nHost: h\r\n\r\n", i)
	}
	io.WriteString(c, b.String())
	br := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i := 0; i < 100; i++ {
		if _, body := exchange(t, c, br, ""); body != fmt.Sprintf("/r%d", i) {
			t.Fatalf("response %d: %q", i, body)
		}
	}
}

// TestCurl drives the server with curl: GET, HEAD, a chunked POST, a
// 10 MiB upload (which curl sends with Expect: 100-continue), 1,000
// requests over keep-alive, and a streamed response.
func TestCurl(t *testing.T) {
	curl := interop.Program(t, "curl")
	s := &Server{Handler: interopHandler, MaxRequestBodySize: 32 << 20}
	base := "http://" + testTCPServer(t, s)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-sS", "--max-time", "20"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := run(base + "/hello"); out != "Hello, World!" {
		t.Fatalf("GET: %q", out)
	}
	if out := run("-I", base+"/hello"); !strings.Contains(out, "HTTP/1.1 200 OK") || !strings.Contains(out, "Content-Length: 13") {
		t.Fatalf("HEAD: %q", out)
	}
	if out := run("-H", "Transfer-Encoding: chunked", "--data-binary", "chunked body", base+"/sum"); out != fmt.Sprintf("12 %x", sha256.Sum256([]byte("chunked body"))) {
		t.Fatalf("chunked POST: %q", out)
	}
	big := bytes.Repeat([]byte("abcdefghij"), 1<<20)
	file := filepath.Join(t.TempDir(), "big")
	os.WriteFile(file, big, 0o644)
	out := run("-v", "--data-binary", "@"+file, base+"/sum")
	if !strings.Contains(out, fmt.Sprintf("%d %x", len(big), sha256.Sum256(big))) {
		t.Fatalf("10 MiB upload: %q", out[max(0, len(out)-300):])
	}
	if !strings.Contains(out, "Expect: 100-continue") || !strings.Contains(out, "HTTP/1.1 100 Continue") {
		t.Fatalf("curl did not go through 100-continue:\n%s", out[:min(len(out), 2000)])
	}
	// 1,000 requests in one curl process reuse one connection.
	var urls []string
	for i := 0; i < 1000; i++ {
		urls = append(urls, base+"/hello")
	}
	before := s.Stats().AcceptedConns
	if out := run(urls...); out != strings.Repeat("Hello, World!", 1000) {
		t.Fatalf("keep-alive: got %d bytes", len(out))
	}
	if n := s.Stats().AcceptedConns - before; n != 1 {
		t.Fatalf("1,000 requests used %d connections", n)
	}
	if out := run("-N", base+"/stream"); out != "part 0\npart 1\npart 2\npart 3\npart 4\n" {
		t.Fatalf("stream: %q", out)
	}
}

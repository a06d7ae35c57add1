package main

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// sampleDir makes a directory with a compressible text file, a binary
// file larger than what FS keeps in memory, and a subdirectory.
func sampleDir(t *testing.T) (dir string, text, bin []byte) {
	t.Helper()
	dir = t.TempDir()
	text = bytes.Repeat([]byte("volt fileserver sample text, compressible.\n"), 8000) // 344,000 bytes
	bin = make([]byte, 300<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range bin {
		bin[i] = byte(rng.Uint32())
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), text, 0o644)
	os.WriteFile(filepath.Join(dir, "data.bin"), bin, 0o644)
	os.Mkdir(filepath.Join(dir, "docs"), 0o755)
	os.WriteFile(filepath.Join(dir, "docs", "a.md"), []byte("# a\n"), 0o644)
	return dir, text, bin
}

func TestFileServer(t *testing.T) {
	dir, text, _ := sampleDir(t)
	ln := volttest.NewListener()
	srv := &volt.Server{Handler: newHandler(dir)}
	go srv.Serve(ln)
	defer srv.Close()
	get := func(raw string) (*http.Response, []byte) {
		t.Helper()
		c, err := ln.Dial()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, raw)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	if resp, body := get("GET /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n"); resp.StatusCode != 200 || !bytes.Equal(body, text) {
		t.Fatalf("GET: %d, %d bytes", resp.StatusCode, len(body))
	}
	if resp, body := get("GET /notes.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"); resp.Header.Get("Content-Encoding") != "gzip" || len(body) >= len(text)/10 {
		t.Fatalf("gzip: %v, %d bytes", resp.Header, len(body))
	}
	if resp, body := get("GET /notes.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\n\r\n"); resp.StatusCode != 206 || !bytes.Equal(body, text[10:20]) {
		t.Fatalf("range: %d %q", resp.StatusCode, body)
	}
	if resp, body := get("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); resp.StatusCode != 200 || !strings.Contains(string(body), `href="./docs/"`) {
		t.Fatalf("listing: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get("GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"); resp.StatusCode != 404 {
		t.Fatalf("outside the root: %d", resp.StatusCode)
	}
}

// TestCurl downloads files from the file server with curl, whole,
// compressed with each coding, and in ranges, and compares the bytes with
// the originals. It runs with VOLT_INTEROP=1 (where a missing curl fails).
func TestCurl(t *testing.T) {
	if os.Getenv("VOLT_INTEROP") != "1" {
		t.Skip("set VOLT_INTEROP=1 to run tests that drive curl")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("VOLT_INTEROP=1 but curl is missing: %v", err)
	}
	dir, text, bin := sampleDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: newHandler(dir)}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(curl, append([]string{"-sS", "--fail", "--max-time", "20"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, stderr.Bytes())
		}
		return out
	}
	files := map[string][]byte{"/notes.txt": text, "/data.bin": bin}
	for path, want := range files {
		if got := run(base + path); !bytes.Equal(got, want) {
			t.Fatalf("curl %s: %d bytes, want %d", path, len(got), len(want))
		}
		if got := run("--compressed", base+path); !bytes.Equal(got, want) {
			t.Fatalf("curl --compressed %s: %d bytes differ", path, len(got))
		}
		for _, r := range []struct {
			spec       string
			start, end int
		}{{"0-99", 0, 99}, {"1000-", 1000, len(want) - 1}, {"-500", len(want) - 500, len(want) - 1}, {"70000-200000", 70000, 200000}} {
			if got := run("-r", r.spec, base+path); !bytes.Equal(got, want[r.start:r.end+1]) {
				t.Fatalf("curl -r %s %s: %d bytes differ", r.spec, path, len(got))
			}
			if got := run("--compressed", "-r", r.spec, base+path); !bytes.Equal(got, want[r.start:r.end+1]) {
				t.Fatalf("curl --compressed -r %s %s: %d bytes differ", r.spec, path, len(got))
			}
		}
	}
	// Each coding curl knows, asked for alone.
	for _, enc := range []string{"br", "zstd", "gzip", "deflate"} {
		out := run("--compressed", "-H", "Accept-Encoding: "+enc, "-D", "-", "-o", os.DevNull, base+"/notes.txt")
		if !strings.Contains(strings.ToLower(string(out)), "content-encoding: "+enc) {
			t.Fatalf("%s: head\n%s", enc, out)
		}
		if got := run("--compressed", "-H", "Accept-Encoding: "+enc, base+"/notes.txt"); !bytes.Equal(got, text) {
			t.Fatalf("curl %s: %d bytes differ", enc, len(got))
		}
	}
	// A conditional request with the ETag curl saw: 304.
	etag := ""
	for _, line := range strings.Split(string(run("-sI", base+"/data.bin")), "\r\n") {
		if v, ok := strings.CutPrefix(line, "ETag: "); ok {
			etag = v
		}
	}
	if out := run("-o", os.DevNull, "-w", "%{http_code}", "-H", "If-None-Match: "+etag, base+"/data.bin"); string(out) != "304" {
		t.Fatalf("If-None-Match %s: %s", etag, out)
	}
}

func TestServerHasTimeouts(t *testing.T) {
	s := newServer(func(*volt.RequestCtx) {})
	if s.HeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("%+v", s)
	}
}

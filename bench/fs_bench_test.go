package bench

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
)

// The FS comparison: volt.FS against fasthttp.FS, both with compression
// and byte ranges on, serving the same files from one temporary
// directory over the same InmemListener. net/http's FileServer has no
// compressed-variant cache, so it is left out.
var fsImpls = []string{"volt", "fasthttp"}

// fsFiles are the served files: a small stylesheet, sent as it is, and a
// larger script, sent gzip-compressed from each server's cache.
var fsFiles = map[string][]byte{
	"small.css": fsText(2<<10, "body{margin:0;font:16px/1.5 system-ui,sans-serif}.nav a{color:#06c}"),
	"app.js":    fsText(64<<10, "function render(items){return items.map(i=>`<li>${i.name}</li>`).join('')}"),
}

// fsText returns size bytes of code-like text: line, then lines of words
// drawn at random (with a fixed seed) from a small vocabulary, which
// gzip shrinks about 3 to 4 times, as it does real CSS or JavaScript.
func fsText(size int, line string) []byte {
	words := strings.Fields("function return const let var if else for while items map join render " +
		"name value key index length push pop slice this that null undefined true false new class " +
		"extends import export default from async await try catch throw error event target style " +
		"color margin padding border width height display flex grid none block inline px em rem")
	rng := rand.New(rand.NewPCG(7, 11))
	var b bytes.Buffer
	b.WriteString(line)
	b.WriteByte('\n')
	for b.Len() < size {
		for i := 0; i < 8; i++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString(string("(){};.,= "[rng.IntN(9)]))
		}
		fmt.Fprintf(&b, "%d\n", rng.IntN(100000))
	}
	return b.Bytes()[:size]
}

// fsCases are the benchmarked requests: ChromeHeaders with the
// Accept-Encoding replaced, so that both servers pick the same coding.
var fsCases = []struct {
	name, path, ae string
	gzip           bool
}{
	{"small", "/small.css", "identity", false},
	{"compressed", "/app.js", "gzip", true},
}

func fsRequest(path, ae string) []byte {
	return bytes.Replace(BuildRequest("GET", path), []byte("Accept-Encoding: gzip, deflate, br, zstd"), []byte("Accept-Encoding: "+ae), 1)
}

// fsRoot writes fsFiles into a new directory.
func fsRoot(tb testing.TB) string {
	dir := tb.TempDir()
	for name, b := range fsFiles {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// startFS serves root with impl's FS on an in-memory listener.
func startFS(tb testing.TB, impl, root string) (net.Conn, *ResponseReader, func()) {
	tb.Helper()
	ln := NewInmemListener()
	errc := make(chan error, 1)
	var stop func()
	switch impl {
	case "volt":
		fs := &volt.FS{Root: root, Compress: true, AcceptByteRange: true}
		s := &volt.Server{Handler: fs.Handler(), HeaderTimeout: headerTimeout, IdleTimeout: idleTimeout, Logger: slog.New(slog.DiscardHandler)}
		go func() { errc <- s.Serve(ln) }()
		stop = func() { _ = Stop(s.Shutdown, errc, 5*time.Second) }
	case "fasthttp":
		fs := &fasthttp.FS{Root: root, Compress: true, AcceptByteRange: true}
		s := &fasthttp.Server{Handler: fs.NewRequestHandler(), ReadTimeout: headerTimeout, IdleTimeout: idleTimeout, Logger: discardLogger{}}
		go func() { errc <- s.Serve(ln) }()
		stop = func() { _ = Stop(s.ShutdownWithContext, errc, 5*time.Second) }
	default:
		tb.Fatalf("unknown impl %q", impl)
	}
	c, err := ln.Dial()
	if err != nil {
		tb.Fatal(err)
	}
	return c, NewResponseReader(c, 128<<10), func() { _ = c.Close(); stop() }
}

// TestFSServersAlike: both servers answer every case with the file's
// bytes, compressed where asked.
func TestFSServersAlike(t *testing.T) {
	root := fsRoot(t)
	for _, impl := range fsImpls {
		t.Run(impl, func(t *testing.T) {
			c, rr, stop := startFS(t, impl, root)
			defer stop()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			for _, tc := range fsCases {
				for i := 0; i < 2; i++ { // the second from the cache
					if _, err := c.Write(fsRequest(tc.path, tc.ae)); err != nil {
						t.Fatal(err)
					}
					resp, err := rr.Next()
					if err != nil {
						t.Fatal(err)
					}
					body := resp.Body
					if tc.gzip {
						if string(resp.Header("Content-Encoding")) != "gzip" {
							t.Fatalf("%s: not gzip:\n%s", tc.name, resp.Head)
						}
						zr, err := gzip.NewReader(bytes.NewReader(body))
						if err != nil {
							t.Fatal(err)
						}
						body, _ = io.ReadAll(zr)
					}
					if resp.Status != 200 || !bytes.Equal(body, fsFiles[tc.path[1:]]) {
						t.Fatalf("%s: %d, %d bytes\n%s", tc.name, resp.Status, len(body), resp.Head)
					}
				}
			}
		})
	}
}

// BenchmarkFS serves a small cached file (2 KiB CSS, identity) and a
// compressed one (64 KiB JavaScript, gzip from the compressed-variant
// cache) over one keep-alive in-memory connection. ns/op and allocs/op
// are per request, client and transport included, as in BenchmarkServe.
func BenchmarkFS(b *testing.B) {
	root := fsRoot(b)
	for _, tc := range fsCases {
		for _, impl := range fsImpls {
			b.Run("file="+tc.name+"/impl="+impl, func(b *testing.B) {
				c, rr, stop := startFS(b, impl, root)
				defer stop()
				req := fsRequest(tc.path, tc.ae)
				want := -1
				roundTrip := func() {
					if _, err := c.Write(req); err != nil {
						b.Fatal(err)
					}
					resp, err := rr.Next()
					if err != nil {
						b.Fatal(err)
					}
					if resp.Status != 200 || want >= 0 && len(resp.Body) != want {
						b.Fatalf("got %d, %d bytes", resp.Status, len(resp.Body))
					}
					want = len(resp.Body)
				}
				deadline := time.Now().Add(50 * time.Millisecond)
				for time.Now().Before(deadline) {
					roundTrip()
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					roundTrip()
				}
				b.StopTimer()
			})
		}
	}
}

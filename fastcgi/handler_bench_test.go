package fastcgi

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/volthttp/volt"
)

// startLeanApp starts a responder that allocates nothing per request: it
// skips every record up to the empty STDIN and answers with resp. It is
// for benchmarks and allocation tests, where the fake application's own
// allocations would be counted.
func startLeanApp(tb testing.TB, resp []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "lean.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer nc.Close()
				br := bufio.NewReaderSize(nc, 64<<10)
				for {
					h, err := br.Peek(headerLen)
					if err != nil {
						return
					}
					typ, n := h[1], int(h[4])<<8|int(h[5])+int(h[6])
					if _, err := br.Discard(headerLen + n); err != nil {
						return
					}
					if typ == typeStdin && n == 0 {
						if _, err := nc.Write(resp); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		<-done
	})
	return "unix:" + path
}

// leanResponse builds an answer with a CGI header and body of n bytes.
func leanResponse(n int) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	out := append([]byte("Content-Type: text/plain\r\nX-Powered-By: lean\r\n\r\n"), bytes.Repeat([]byte("x"), n)...)
	writeStream(w, typeStdout, out)
	writeRecord(w, typeStdout, nil)
	writeRecord(w, typeEndRequest, make([]byte, 8))
	w.Flush()
	return buf.Bytes()
}

func benchCtx() *volt.RequestCtx {
	ctx := new(volt.RequestCtx)
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.Header.SetRequestURI("/index.php/a/b?x=1&y=2")
	ctx.Request.Header.Set("Host", "example.com")
	ctx.Request.Header.Set("User-Agent", "bench")
	ctx.Request.Header.Set("Accept", "*/*")
	ctx.Request.Header.Set("Cookie", "session=abc")
	return ctx
}

func serveOne(tb testing.TB, c *Client, ctx *volt.RequestCtx) {
	c.Handler(ctx)
	if ctx.Response.StatusCode() != 200 {
		tb.Fatalf("status %d", ctx.Response.StatusCode())
	}
	if ctx.Response.IsBodyStream() {
		io.Copy(io.Discard, ctx.Response.BodyStream())
	}
	ctx.Response.Reset()
}

// BenchmarkHandler serves GET requests through a lean responder over a
// Unix socket on one kept connection: small (1 KiB) and streamed (256 KiB)
// bodies.
func BenchmarkHandler(b *testing.B) {
	for _, size := range []int{1 << 10, 256 << 10} {
		b.Run(byteSize(size), func(b *testing.B) {
			addr := startLeanApp(b, leanResponse(size))
			c := newTestClient(b, Config{Addr: addr, Root: testRoot(b, "index.php"), Logger: discard()})
			ctx := benchCtx()
			serveOne(b, c, ctx)
			b.ReportAllocs()
			b.SetBytes(int64(size))
			b.ResetTimer()
			for b.Loop() {
				serveOne(b, c, ctx)
			}
		})
	}
}

func byteSize(n int) string {
	if n >= 1<<10 {
		return strconv.Itoa(n>>10) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}

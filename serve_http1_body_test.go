package volt

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/testutil"
)

// hiddenRequest is a request carried as the body of another: a server that
// loses track of the body's framing serves it.
const hiddenRequest = "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n"

// TestStreamedBodyNoLimitNotSmuggled: with StreamRequestBody and no body
// limit, a handler that reads the body (whole through Body, or part of it
// through BodyStream) must not leave its bytes to be parsed as the next
// request.
func TestStreamedBodyNoLimitNotSmuggled(t *testing.T) {
	readers := map[string]func(ctx *RequestCtx){
		"Body": func(ctx *RequestCtx) { _ = ctx.Request.Body() },
		"BodyStreamPart": func(ctx *RequestCtx) {
			var b [4]byte
			_, _ = io.ReadFull(ctx.Request.BodyStream(), b[:])
		},
		"BodyStreamPartThenBody": func(ctx *RequestCtx) {
			var b [4]byte
			_, _ = io.ReadFull(ctx.Request.BodyStream(), b[:])
			_ = ctx.Request.Body()
		},
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			var smuggled atomic.Int32
			addr := testTCPServer(t, &Server{StreamRequestBody: true, MaxRequestBodySize: -1, Handler: func(ctx *RequestCtx) {
				if string(ctx.Path()) == "/smuggled" {
					smuggled.Add(1)
				}
				read(ctx)
				ctx.WriteString("ok " + string(ctx.Path()))
			}})
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(c)
			// The head first, so that the body is not buffered with it and
			// is streamed to the handler.
			io.WriteString(c, "POST /outer HTTP/1.1\r\nHost: h\r\nContent-Length: "+strconv.Itoa(len(hiddenRequest))+"\r\n\r\n")
			time.Sleep(20 * time.Millisecond)
			if _, err := io.WriteString(c, hiddenRequest+getClose("/after")); err != nil {
				t.Fatal(err)
			}
			for {
				code := statusOrClose(br)
				if code == 0 {
					break
				}
			}
			if n := smuggled.Load(); n != 0 {
				t.Fatalf("the request hidden in the body was served %d times", n)
			}
		})
	}
}

// bodyReaders are every way a handler gets the request body; each returns
// the body it read and the error met.
var bodyReaders = map[string]func(ctx *RequestCtx) ([]byte, error){
	"Body": func(ctx *RequestCtx) ([]byte, error) {
		b := ctx.Request.Body()
		return b, ctx.Request.BodyErr()
	},
	"BodyStream": func(ctx *RequestCtx) ([]byte, error) {
		return io.ReadAll(ctx.Request.BodyStream())
	},
	"BodyDecoded": func(ctx *RequestCtx) ([]byte, error) {
		return ctx.Request.BodyDecoded(-1)
	},
	"BodyDecodedMaxInt64": func(ctx *RequestCtx) ([]byte, error) {
		return ctx.Request.BodyDecoded(math.MaxInt64)
	},
}

// TestBodyLimitsClass runs every body reader, buffered and streamed, with
// a Content-Length and chunked body, over the limits 0 (default), small,
// none (-1) and MaxInt64: a body within the limit arrives whole, one past
// it fails, and the bytes of the body are never served as a request.
func TestBodyLimitsClass(t *testing.T) {
	body := []byte(hiddenRequest + strings.Repeat("x", 100))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	limits := []struct {
		name  string
		limit int64
		fits  bool
	}{
		{"default", 0, true},
		{"small", 20, false},
		{"none", -1, true},
		{"maxint64", math.MaxInt64, true},
	}
	for _, lim := range limits {
		for _, stream := range []bool{false, true} {
			for rname, read := range bodyReaders {
				for _, chunked := range []bool{false, true} {
					name := fmt.Sprintf("%s/stream=%v/%s/chunked=%v", lim.name, stream, rname, chunked)
					t.Run(name, func(t *testing.T) {
						var smuggled atomic.Int32
						ln := testServer(t, &Server{StreamRequestBody: stream, MaxRequestBodySize: lim.limit, Logger: discardLogger(),
							Handler: func(ctx *RequestCtx) {
								if string(ctx.Path()) == "/smuggled" {
									smuggled.Add(1)
								}
								b, err := read(ctx)
								if err != nil {
									ctx.Error(err.Error(), StatusRequestEntityTooLarge)
									return
								}
								fmt.Fprintf(ctx, "%d %x", len(b), b)
							}})
						c := dial(t, ln)
						br := bufio.NewReader(c)
						payload := body
						enc := ""
						if strings.HasPrefix(rname, "BodyDecoded") {
							payload = gz.Bytes()
							enc = "Content-Encoding: gzip\r\n"
						}
						var head, rest string
						if chunked {
							head = "POST / HTTP/1.1\r\nHost: h\r\n" + enc + "Transfer-Encoding: chunked\r\n\r\n"
							rest = strconv.FormatInt(int64(len(payload)), 16) + "\r\n" + string(payload) + "\r\n0\r\n\r\n"
						} else {
							head = "POST / HTTP/1.1\r\nHost: h\r\n" + enc + "Content-Length: " + strconv.Itoa(len(payload)) + "\r\n\r\n"
							rest = string(payload)
						}
						// The head alone first, so that a streamed body is
						// read from the connection by the handler.
						io.WriteString(c, head)
						time.Sleep(10 * time.Millisecond)
						io.WriteString(c, rest+getClose("/after"))
						code := statusOrClose(br)
						if lim.fits {
							if code != 200 {
								t.Fatalf("status %d, want 200", code)
							}
							if code := statusOrClose(br); code != 200 {
								t.Fatalf("next request: status %d", code)
							}
						} else if code != StatusRequestEntityTooLarge {
							t.Fatalf("status %d, want 413", code)
						}
						for statusOrClose(br) != 0 {
						}
						if smuggled.Load() != 0 {
							t.Fatal("the body was served as a request")
						}
					})
				}
			}
		}
	}
}

// TestBodyBufferNotSizedByContentLength: a request announcing a huge
// Content-Length and sending 10 bytes costs the server about what
// arrived, not what was announced, and does not crash it.
func TestBodyBufferNotSizedByContentLength(t *testing.T) {
	cases := []struct {
		name  string
		limit int64
		cl    int64
	}{
		{"maxint64-nolimit", -1, math.MaxInt64},
		{"1GiB-highlimit", 2 << 30, 1 << 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := testTCPServer(t, &Server{MaxRequestBodySize: tc.limit, Handler: func(ctx *RequestCtx) {
				ctx.WriteString("ok")
			}, Logger: discardLogger()})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: "+strconv.FormatInt(tc.cl, 10)+"\r\n\r\n0123456789")
			time.Sleep(300 * time.Millisecond)
			runtime.ReadMemStats(&after)
			if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
				t.Fatalf("server allocated %d bytes for a stalled 10-byte body", d)
			}
			// The server still serves.
			c2, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c2.Close()
			_ = c2.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c2, get("/"))
			if code := statusOrClose(bufio.NewReader(c2)); code != 200 {
				t.Fatalf("next connection: status %d", code)
			}
		})
	}
}

// panicProtocol is a protocol that panics on every connection.
type panicProtocol struct{}

func (panicProtocol) ServeConn(*ServerConn) error { panic("protocol panic") }

// TestPanicOutsideHandlerKeepsServing: a panic in a connection's goroutine
// outside the handler (a body stream writer, a registered protocol) is
// logged and closes that connection only; the server serves the next one.
func TestPanicOutsideHandlerKeepsServing(t *testing.T) {
	var logged testutil.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	s := &Server{Logger: logger, Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/writer" {
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) { panic("stream writer panic") })
			return
		}
		ctx.WriteString("ok")
	}}
	s.RegisterProtocol("panic", panicProtocol{})
	s.RegisterPreface("PANIC!", "panic")
	ln := testServer(t, s)
	for _, first := range []string{get("/writer"), "PANIC!\r\n"} {
		c := dial(t, ln)
		io.WriteString(c, first)
		br := bufio.NewReader(c)
		for statusOrClose(br) != 0 {
		}
		expectClosed(t, c, br)
		c2 := dial(t, ln)
		br2 := bufio.NewReader(c2)
		if resp, body := exchange(t, c2, br2, get("/ok")); resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("after a panic: %d %q", resp.StatusCode, body)
		}
	}
	for _, want := range []string{"stream writer panic", "protocol panic", "goroutine"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logged.String())
		}
	}
}

func getClose(path string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"
}

// TestChunkFramingCountsAgainstLimit: the chunk-size lines' extensions and
// the trailer section count against the body limit, so that tiny chunks
// with huge extensions cannot make the server read far more than the limit
// (compare CVE-2023-39326); plain chunks of any size are not charged.
func TestChunkFramingCountsAgainstLimit(t *testing.T) {
	const limit = 1024
	for _, stream := range []bool{false, true} {
		ln := testServer(t, &Server{MaxRequestBodySize: limit, StreamRequestBody: stream, Logger: discardLogger(),
			Handler: func(ctx *RequestCtx) {
				b, err := io.ReadAll(ctx.Request.BodyStream())
				if err != nil {
					ctx.Error(err.Error(), StatusRequestEntityTooLarge)
					return
				}
				fmt.Fprintf(ctx, "%d", len(b))
			}})
		// 1-byte chunks with 3000-byte extensions: 100 data bytes, ~300 KB
		// on the wire.
		var ext strings.Builder
		ext.WriteString("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
		for i := 0; i < 100; i++ {
			ext.WriteString("1;e=" + strings.Repeat("a", 3000) + "\r\nx\r\n")
		}
		ext.WriteString("0\r\n\r\n")
		// Nearly limit bytes of data in 1-byte chunks, and a trailer
		// (counted too).
		var plain strings.Builder
		plain.WriteString("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
		for i := 0; i < limit-16; i++ {
			plain.WriteString("1\r\nx\r\n")
		}
		plain.WriteString("0\r\nX-Sum: 1\r\n\r\n")
		for _, tc := range []struct {
			name, raw string
			want      int
		}{
			{"extensions", ext.String(), StatusRequestEntityTooLarge},
			{"plain", plain.String(), 200},
		} {
			c := dial(t, ln)
			br := bufio.NewReader(c)
			go io.WriteString(c, tc.raw)
			if code := statusOrClose(br); code != tc.want {
				t.Errorf("stream=%v %s: status %d, want %d", stream, tc.name, code, tc.want)
			}
		}
	}
}

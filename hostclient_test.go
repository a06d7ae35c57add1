package volt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clientServer starts a volt server on loopback for client tests.
func clientServer(t testing.TB, h RequestHandler) (addr string, s *Server) {
	s = &Server{Handler: h}
	return testTCPServer(t, s), s
}

func doGet(t testing.TB, hc *HostClient, url string) (*Response, error) {
	t.Helper()
	req := AcquireRequest()
	defer ReleaseRequest(req)
	req.SetRequestURI(url)
	resp := AcquireResponse()
	err := hc.Do(req, resp)
	return resp, err
}

func TestHostClientAgainstVolt(t *testing.T) {
	addr, srv := clientServer(t, func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%s %s ua=%s host=%s body=%s", ctx.Method(), ctx.Request.Header.RequestURI(),
			ctx.Request.Header.Peek("User-Agent"), ctx.Host(), ctx.PostBody())
	})
	hc := &HostClient{Addr: addr}
	for i := 0; i < 10; i++ {
		resp, err := doGet(t, hc, "http://"+addr+"/p?q=1")
		if err != nil {
			t.Fatal(err)
		}
		if want := "GET /p?q=1 ua=volt host=" + addr + " body="; string(resp.Body()) != want {
			t.Fatalf("got %q, want %q", resp.Body(), want)
		}
		ReleaseResponse(resp)
	}
	if n := srv.Stats().AcceptedConns; n != 1 {
		t.Fatalf("10 sequential requests used %d connections", n)
	}
	if resp, err := doGet(t, hc, "http://"+addr+"/a/./b/../c//d?x=1"); err != nil || !strings.HasPrefix(string(resp.Body()), "GET /a/c/d?x=1 ") {
		t.Fatalf("normalised path: %q %v", resp.Body(), err)
	}
	raw := &HostClient{Addr: addr, ConnConfig: ConnConfig{DisablePathNormalizing: true}}
	if resp, err := doGet(t, raw, "http://"+addr+"/a/./b/../c?x=1"); err != nil || !strings.HasPrefix(string(resp.Body()), "GET /a/./b/../c?x=1 ") {
		t.Fatalf("raw path: %q %v", resp.Body(), err)
	}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/post")
	req.Header.SetMethod("POST")
	req.SetBodyString("payload")
	if err := hc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(resp.Body()), "body=payload") {
		t.Fatalf("POST: %q", resp.Body())
	}
}

func TestHostClientAgainstNetHTTP(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Header().Set("Trailer", "X-Sum")
			w.Write([]byte("part1,"))
			w.(http.Flusher).Flush()
			w.Write([]byte("part2"))
			w.Header().Set("X-Sum", "42")
		case "/head":
			w.Header().Set("Content-Length", "100")
		case "/nocontent":
			w.WriteHeader(204)
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		case "/continue":
			b, _ := io.ReadAll(r.Body)
			w.Write(b)
		default:
			w.Write([]byte("hello " + r.Method))
		}
	}))
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	hc := &HostClient{Addr: addr}
	resp, err := doGet(t, hc, ts.URL+"/chunked")
	if err != nil || string(resp.Body()) != "part1,part2" || string(resp.Header.Trailer("X-Sum")) != "42" {
		t.Fatalf("chunked: %q trailer %q %v", resp.Body(), resp.Header.Trailer("X-Sum"), err)
	}
	req, resp2 := AcquireRequest(), AcquireResponse()
	req.SetRequestURI(ts.URL + "/head")
	req.Header.SetMethod("HEAD")
	if err := hc.Do(req, resp2); err != nil || len(resp2.Body()) != 0 || resp2.Header.ContentLength() != 100 {
		t.Fatalf("HEAD: %v %q %d", err, resp2.Body(), resp2.Header.ContentLength())
	}
	if resp, err := doGet(t, hc, ts.URL+"/nocontent"); err != nil || resp.StatusCode() != 204 {
		t.Fatalf("204: %v", err)
	}
	if resp, err := doGet(t, hc, ts.URL+"/close"); err != nil || string(resp.Body()) != "bye" {
		t.Fatalf("close: %v", err)
	}
	// After Connection: close the pool dials again.
	if resp, err := doGet(t, hc, ts.URL+"/"); err != nil || string(resp.Body()) != "hello GET" {
		t.Fatalf("after close: %v %q", err, resp.Body())
	}
	req.Reset()
	req.SetRequestURI(ts.URL + "/continue")
	req.Header.SetMethod("PUT")
	req.Header.Set("Expect", "100-continue")
	req.SetBodyString("sent after 100")
	if err := hc.Do(req, resp2); err != nil || string(resp2.Body()) != "sent after 100" {
		t.Fatalf("100-continue: %v %q", err, resp2.Body())
	}
}

// scriptedServer accepts connections and runs script on each.
func scriptedServer(t *testing.T, script func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				script(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// readRequestHead consumes one request head from c.
func readRequestHead(br *bufio.Reader) error {
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		if l == "\r\n" {
			return nil
		}
	}
}

// TestHostClientHostileServers: each misbehaving server gives a clear error
// within the timeout, no goroutine leaks, and the next request works.
func TestHostClientHostileServers(t *testing.T) {
	good := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	cases := []struct {
		name   string
		answer func(c net.Conn, br *bufio.Reader)
		check  func(err error) bool
	}{
		{"closes-mid-body", func(c net.Conn, br *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly some")
		}, func(err error) bool { return errors.Is(err, ErrUnexpectedEOF) }},
		{"answers-slowly", func(c net.Conn, br *bufio.Reader) {
			time.Sleep(2 * time.Second)
			io.WriteString(c, good)
		}, func(err error) bool { return errors.Is(err, ErrTimeout) && isTimeout(err) }},
		{"2GB-content-length", func(c net.Conn, br *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\nxx")
		}, func(err error) bool { return errors.Is(err, ErrBodyTooLarge) }},
		{"garbage", func(c net.Conn, br *bufio.Reader) {
			io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n\r\n")
		}, func(err error) bool { var pe *ParseError; return errors.As(err, &pe) }},
		{"endless-header", func(c net.Conn, br *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Endless: ")
			for i := 0; i < 200; i++ {
				if _, err := io.WriteString(c, strings.Repeat("a", 1024)); err != nil {
					return
				}
			}
		}, func(err error) bool { return errors.Is(err, ErrHeaderTooLarge) }},
		{"never-answers", func(c net.Conn, br *bufio.Reader) {
			io.Copy(io.Discard, c)
		}, func(err error) bool { return errors.Is(err, ErrTimeout) }},
		{"smuggling-CL-and-TE", func(c net.Conn, br *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
		}, func(err error) bool { return errors.Is(err, ErrAmbiguousLength) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			addr := scriptedServer(t, func(c net.Conn) {
				br := bufio.NewReader(c)
				for {
					if readRequestHead(br) != nil {
						return
					}
					if n.Add(1) == 1 {
						tc.answer(c, br)
						return
					}
					io.WriteString(c, good)
				}
			})
			before := runtime.NumGoroutine()
			hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{ReadTimeout: 500 * time.Millisecond, MaxResponseBodySize: 1 << 20, MaxHeaderBytes: 16 << 10}}
			start := time.Now()
			_, err := doGet(t, hc, "http://"+addr+"/")
			if err == nil || !tc.check(err) {
				t.Fatalf("error %v (%T)", err, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("error after %v", d)
			}
			resp, err := doGet(t, hc, "http://"+addr+"/")
			if err != nil || string(resp.Body()) != "ok" {
				t.Fatalf("next request: %v", err)
			}
			hc.CloseIdleConnections()
			waitFor(t, "goroutines to settle", func() bool { return runtime.NumGoroutine() <= before+1 })
		})
	}
}

// TestHostClientMaxConns: MaxConns is never exceeded under 200 concurrent
// callers, and waiters that time out get ErrNoFreeConns.
func TestHostClientMaxConns(t *testing.T) {
	var cur, peak atomic.Int32
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		cur.Add(-1)
		ctx.WriteString("ok")
	})
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{MaxConns: 8, MaxConnWaitTimeout: 10 * time.Second}}
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				resp, err := doGet(t, hc, "http://"+addr+"/")
				if err != nil || string(resp.Body()) != "ok" {
					failures.Add(1)
				}
				ReleaseResponse(resp)
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d failures", failures.Load())
	}
	if p := peak.Load(); p > 8 || hc.ConnsCount() > 8 {
		t.Fatalf("peak %d concurrent requests, %d conns, MaxConns 8", p, hc.ConnsCount())
	}

	release := make(chan struct{})
	addr2, _ := clientServer(t, func(ctx *RequestCtx) { <-release })
	hc2 := &HostClient{Addr: addr2, ConnConfig: ConnConfig{MaxConns: 1, MaxConnWaitTimeout: 50 * time.Millisecond}}
	go doGet(t, hc2, "http://"+addr2+"/")
	waitFor(t, "the first request", func() bool { return hc2.ConnsCount() == 1 && hc2.PendingRequests() == 1 })
	start := time.Now()
	if _, err := doGet(t, hc2, "http://"+addr2+"/"); !errors.Is(err, ErrNoFreeConns) {
		t.Fatalf("waiter got %v", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("waiter gave up after %v", d)
	}
	close(release)
}

func TestHostClientIdleConnsClosed(t *testing.T) {
	addr, srv := clientServer(t, func(ctx *RequestCtx) { ctx.WriteString("ok") })
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{MaxIdleConnDuration: 100 * time.Millisecond}}
	if _, err := doGet(t, hc, "http://"+addr+"/"); err != nil {
		t.Fatal(err)
	}
	if hc.ConnsCount() != 1 {
		t.Fatal(hc.ConnsCount())
	}
	waitFor(t, "the idle connection to close", func() bool { return hc.ConnsCount() == 0 && srv.Stats().OpenConns == 0 })
}

// TestHostClientRetries: an idempotent request is retried on a fresh
// connection when a reused one fails before any response byte; a POST is
// not.
func TestHostClientRetries(t *testing.T) {
	var conns atomic.Int32
	addr := scriptedServer(t, func(c net.Conn) {
		conns.Add(1)
		br := bufio.NewReader(c)
		// Answer one request, then close when the next arrives, without a
		// byte: a server that timed out the idle connection.
		if readRequestHead(br) != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		readRequestHead(br)
	})
	hc := &HostClient{Addr: addr}
	for i := 0; i < 3; i++ {
		if resp, err := doGet(t, hc, "http://"+addr+"/"); err != nil || string(resp.Body()) != "ok" {
			t.Fatalf("GET %d: %v", i, err)
		}
	}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	req.Header.SetMethod("POST")
	if err := hc.Do(req, resp); !errors.Is(err, ErrConnectionClosed) {
		t.Fatalf("POST on a stale connection: %v (must not be retried)", err)
	}
}

func TestHostClientDoCtxCancels(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		<-ctx.Done()
	})
	hc := &HostClient{Addr: addr}
	ctx, cancel := context.WithCancel(context.Background())
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	err := hc.DoCtx(ctx, req, resp)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("DoCtx = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("returned after %v", d)
	}
	waitFor(t, "the aborted connection to close", func() bool { return hc.ConnsCount() == 0 })
}

func TestHostClientStreamResponseBody(t *testing.T) {
	big := strings.Repeat("z", 1<<20)
	addr, srv := clientServer(t, func(ctx *RequestCtx) { ctx.WriteString(big) })
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{StreamResponseBody: true}}
	for i := 0; i < 3; i++ {
		resp, err := doGet(t, hc, "http://"+addr+"/")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.BodyStream())
		if err != nil || len(b) != len(big) {
			t.Fatalf("streamed %d bytes: %v", len(b), err)
		}
		ReleaseResponse(resp)
	}
	if n := srv.Stats().AcceptedConns; n != 1 {
		t.Fatalf("streamed bodies did not return the connection: %d conns", n)
	}
}

// TestHostClientStreamResponseBodyCloseWhileReading: closing a streamed
// body from another goroutine ends a Read blocked on it, and the
// connection's slot is freed exactly once (an SSE client stops this way).
func TestHostClientStreamResponseBodyCloseWhileReading(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		ctx.WriteString("first")
		ctx.Flush()
		<-ctx.Done()
	})
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{StreamResponseBody: true, MaxConns: 1}}
	for i := 0; i < 3; i++ {
		resp, err := doGet(t, hc, "http://"+addr+"/")
		if err != nil {
			t.Fatal(err)
		}
		body := resp.BodyStream()
		buf := make([]byte, 64)
		if n, err := body.Read(buf); err != nil || string(buf[:n]) != "first" {
			t.Fatalf("first read: %q %v", buf[:n], err)
		}
		go func() {
			time.Sleep(20 * time.Millisecond)
			body.(io.Closer).Close()
		}()
		if _, err := body.Read(buf); err == nil {
			t.Fatal("Read after Close from another goroutine succeeded")
		}
		ReleaseResponse(resp)
		waitFor(t, "the closed stream's connection to be freed", func() bool { return hc.ConnsCount() == 0 })
	}
}

// TestHostClientStreamedBodyAndTrailers: a request body from a stream of
// unknown size goes chunked, one of known size with Content-Length, and
// trailers follow a chunked body; volt's server reads all three.
func TestHostClientStreamedBodyAndTrailers(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "chunked=%v len=%d body=%s trailer=%s", ctx.Request.Header.Chunked(),
			ctx.Request.Header.ContentLength(), ctx.PostBody(), ctx.Request.Header.Trailer("X-Digest"))
	})
	hc := &HostClient{Addr: addr}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/up")
	req.Header.SetMethod("PUT")
	req.SetBodyStream(strings.NewReader(strings.Repeat("s", 40000)), -1)
	if err := hc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	if want := "chunked=true len=-1 body=" + strings.Repeat("s", 40000) + " trailer="; string(resp.Body()) != want {
		t.Fatalf("unknown size: %.80q", resp.Body())
	}
	req.SetBodyStream(strings.NewReader("known"), 5)
	if err := hc.Do(req, resp); err != nil || string(resp.Body()) != "chunked=false len=5 body=known trailer=" {
		t.Fatalf("known size: %q %v", resp.Body(), err)
	}
	req.SetBodyString("with trailer")
	req.Header.SetTrailer("X-Digest", "abc")
	if err := hc.Do(req, resp); err != nil || string(resp.Body()) != "chunked=true len=-1 body=with trailer trailer=abc" {
		t.Fatalf("trailers: %q %v", resp.Body(), err)
	}
}

// TestHostClientExpectContinue: the body waits for 100 Continue, and is not
// sent at all after a final refusal.
func TestHostClientExpectContinue(t *testing.T) {
	early := make(chan bool, 2)
	addr := scriptedServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for i := 0; ; i++ {
			if readRequestHead(br) != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			_, err := br.Peek(1)
			early <- err == nil
			c.SetReadDeadline(time.Time{})
			if i == 1 {
				io.WriteString(c, "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
				continue
			}
			io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
			body := make([]byte, 4)
			io.ReadFull(br, body)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n")
			c.Write(body)
		}
	})
	hc := &HostClient{Addr: addr}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	req.Header.SetMethod("PUT")
	req.Header.Set("Expect", "100-continue")
	req.SetBodyString("data")
	if err := hc.Do(req, resp); err != nil || string(resp.Body()) != "data" {
		t.Fatalf("%q %v", resp.Body(), err)
	}
	if <-early {
		t.Fatal("the body was sent before 100 Continue")
	}
	if err := hc.Do(req, resp); err != nil || resp.StatusCode() != 417 {
		t.Fatalf("refusal: %d %v", resp.StatusCode(), err)
	}
	if <-early {
		t.Fatal("the body was sent before the answer")
	}
	waitFor(t, "the refused connection to close", func() bool { return hc.ConnsCount() == 0 })
}

// TestHostClientDesyncAndInterimFlood: bytes a server sends past the
// framed response never become the next response, and an endless stream
// of 1xx responses is cut off.
func TestHostClientDesyncAndInterimFlood(t *testing.T) {
	addr := scriptedServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for readRequestHead(br) == nil {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nEVIL!")
		}
	})
	hc := &HostClient{Addr: addr}
	for i := 0; i < 3; i++ {
		resp, err := doGet(t, hc, "http://"+addr+"/")
		if err != nil || string(resp.Body()) != "A" {
			t.Fatalf("request %d: %q %v (smuggled response taken)", i, resp.Body(), err)
		}
	}
	flood := scriptedServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		readRequestHead(br)
		for i := 0; i < 1000; i++ {
			if _, err := io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
				return
			}
		}
	})
	hc2 := &HostClient{Addr: flood, ConnConfig: ConnConfig{ReadTimeout: 5 * time.Second}}
	if _, err := doGet(t, hc2, "http://"+flood+"/"); !errors.Is(err, ErrTooManyInterimResponses) {
		t.Fatalf("1xx flood: %v", err)
	}
}

// TestHostClientDoCtxCancelsStreamedBody: with StreamResponseBody, the
// context still aborts the body after DoCtx returned.
func TestHostClientDoCtxCancelsStreamedBody(t *testing.T) {
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		ctx.WriteString("first")
		ctx.Flush()
		<-ctx.Done()
	})
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{StreamResponseBody: true}}
	ctx, cancel := context.WithCancel(context.Background())
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	if err := hc.DoCtx(ctx, req, resp); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.BodyStream(), buf); err != nil || string(buf) != "first" {
		t.Fatalf("%q %v", buf, err)
	}
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	if _, err := io.ReadAll(resp.BodyStream()); err == nil {
		t.Fatal("the body read went on after the context ended")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the read ended after %v", d)
	}
	waitFor(t, "the aborted connection to close", func() bool { return hc.ConnsCount() == 0 })
}

// TestHostClientBodyBufferNotSizedFromContentLength: a head announcing
// 32 MiB followed by a few bytes costs a few KiB, not 32 MiB: the body
// buffer grows as data arrives.
func TestHostClientBodyBufferNotSizedFromContentLength(t *testing.T) {
	addr, _ := rawTCPServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 33554432\r\n\r\nabc")
	})
	hc := &HostClient{Addr: addr}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := hc.DoTimeout(req, resp, 5*time.Second)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrUnexpectedEOF) {
		t.Fatalf("%v, want ErrUnexpectedEOF", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Fatalf("%d bytes allocated for a 3-byte body announced as 32 MiB", n)
	}
}

// TestRequestInvalidURLOnReusedRequest: a URL that does not parse, set on
// a Request that was sent before, fails Do with ErrInvalidURI instead of
// going to the previous target.
func TestRequestInvalidURLOnReusedRequest(t *testing.T) {
	var hits atomic.Int32
	addr, _ := clientServer(t, func(ctx *RequestCtx) { hits.Add(1) })
	hc := &HostClient{Addr: addr}
	var c Client
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/ok")
	if err := hc.Do(req, resp); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"http://bad host/", "http://[::1/x", "ftp//x"} {
		req.SetRequestURI(bad)
		if err := hc.Do(req, resp); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("HostClient %q: %v, want ErrInvalidURI", bad, err)
		}
		if err := c.Do(req, resp); !errors.Is(err, ErrInvalidURI) {
			t.Errorf("Client %q: %v, want ErrInvalidURI", bad, err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the server got %d requests, want 1", n)
	}
}

package proxy

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// streamSize is the body of the streaming tests: far more than the heap
// growth they allow.
func streamSize() int64 {
	if raceEnabled || testing.Short() {
		return 32 << 20
	}
	return 256 << 20
}

// patternReader yields n bytes of a repeating pattern without holding
// them.
type patternReader struct{ left int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	for i := range p {
		p[i] = byte('a' + (r.left-int64(i))%26)
	}
	r.left -= int64(len(p))
	return len(p), nil
}

// heapWatch samples the live heap every millisecond until stop is called,
// and returns the largest growth over the heap at the start.
func heapWatch() (stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base && ms.HeapAlloc-base > peak.Load() {
				peak.Store(ms.HeapAlloc - base)
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// maxHeapGrowth is what a streamed transfer may add to the heap, all
// buffers of the three parties (client, proxy, upstream) counted.
const maxHeapGrowth = 24 << 20

// A large upload streams through the proxy: the heap never holds more
// than a small part of it, with Content-Length and chunked.
func TestStreamLargeUpload(t *testing.T) {
	n := streamSize()
	up := serve(t, &volt.Server{StreamRequestBody: true, MaxRequestBodySize: -1, Handler: func(ctx *volt.RequestCtx) {
		h := sha256.New()
		m, err := io.Copy(h, ctx.Request.BodyStream())
		fmt.Fprintf(ctx, "%d %x %v", m, h.Sum(nil), err)
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	want := sha256.New()
	io.Copy(want, &patternReader{left: n})
	wantBody := fmt.Sprintf("%d %x <nil>", n, want.Sum(nil))
	for _, chunked := range []bool{false, true} {
		stop := heapWatch()
		var body io.Reader = &patternReader{left: n}
		req, _ := http.NewRequest("POST", "http://"+addr+"/upload", body)
		if !chunked {
			req.ContentLength = n
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			stop()
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		grew := stop()
		if string(b) != wantBody {
			t.Fatalf("chunked=%v: upstream got %q, want %q", chunked, b, wantBody)
		}
		t.Logf("chunked=%v: %d MiB uploaded, heap grew by %.1f MiB at most", chunked, n>>20, float64(grew)/(1<<20))
		if grew > maxHeapGrowth {
			t.Errorf("chunked=%v: heap grew by %d bytes for a %d-byte body", chunked, grew, n)
		}
	}
}

// A large download streams through the proxy likewise, with a
// Content-Length and without one (chunked).
func TestStreamLargeDownload(t *testing.T) {
	n := streamSize()
	up := serve(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		size := n
		if string(ctx.Path()) == "/chunked" {
			size = -1
		}
		ctx.Response.SetBodyStream(&patternReader{left: n}, size)
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	want := sha256.New()
	io.Copy(want, &patternReader{left: n})
	for _, path := range []string{"/length", "/chunked"} {
		stop := heapWatch()
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			stop()
			t.Fatal(err)
		}
		h := sha256.New()
		m, err := io.Copy(h, resp.Body)
		resp.Body.Close()
		grew := stop()
		if err != nil || m != n || string(h.Sum(nil)) != string(want.Sum(nil)) {
			t.Fatalf("%s: got %d bytes, %v", path, m, err)
		}
		if path == "/chunked" && resp.ContentLength != -1 || path == "/length" && resp.ContentLength != n {
			t.Errorf("%s: Content-Length %d", path, resp.ContentLength)
		}
		t.Logf("%s: %d MiB downloaded, heap grew by %.1f MiB at most", path, n>>20, float64(grew)/(1<<20))
		if grew > maxHeapGrowth {
			t.Errorf("%s: heap grew by %d bytes for a %d-byte body", path, grew, n)
		}
	}
}

// A body of unknown length reaches the client as the upstream sends it,
// not when a buffer fills: each event of a stream arrives alone.
func TestStreamFlushesUnframedBody(t *testing.T) {
	next := make(chan struct{})
	up := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			select {
			case <-next:
			case <-time.After(5 * time.Second):
				return
			}
		}
	}))
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	resp, err := http.Get("http://" + addr + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		line, err := br.ReadString('\n')
		if err != nil || line != fmt.Sprintf("data: %d\n", i) {
			t.Fatalf("event %d: %q %v", i, line, err)
		}
		br.ReadString('\n')
		next <- struct{}{}
	}
}

// RFC 9110 section 6.5: trailers of a chunked request body go upstream,
// and trailers of the upstream's response reach the client.
func TestRFC9110Section6_5TrailersForwarded(t *testing.T) {
	up := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Trailer", "X-Checksum")
		fmt.Fprintf(w, "got %q with trailer %q", b, r.Trailer.Get("X-Request-Sum"))
		w.(http.Flusher).Flush()
		w.Header().Set("X-Checksum", "abc123")
	}))
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	req, _ := http.NewRequest("POST", "http://"+addr+"/", io.MultiReader(strings.NewReader("hello")))
	req.Trailer = http.Header{"X-Request-Sum": {"42"}}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `got "hello" with trailer "42"` {
		t.Errorf("body %q", b)
	}
	if got := resp.Trailer.Get("X-Checksum"); got != "abc123" {
		t.Errorf("response trailer %q", got)
	}
}

// RFC 9110 section 10.1.1: with "Expect: 100-continue", the client gets
// 100 Continue before it sends the body, the body then goes upstream
// (with the expectation, so the upstream may refuse it first), and the
// final answer follows.
func TestRFC9110Section10_1_1ExpectContinue(t *testing.T) {
	up := serve(t, &volt.Server{StreamRequestBody: true, Handler: func(ctx *volt.RequestCtx) {
		b, _ := io.ReadAll(ctx.Request.BodyStream())
		fmt.Fprintf(ctx, "expect=%q body=%q", ctx.Request.Header.Peek("Expect"), b)
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("before the body: %q %v", line, err)
	}
	if l, _ := br.ReadString('\n'); l != "\r\n" {
		t.Fatalf("after 100: %q", l)
	}
	io.WriteString(c, "hello")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != `expect="100-continue" body="hello"` {
		t.Errorf("got %q", b)
	}
}

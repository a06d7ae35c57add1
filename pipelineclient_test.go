package volt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPipelineClient(t *testing.T) {
	addr, srv := clientServer(t, func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%s %s", ctx.Method(), ctx.Path())
	})
	pc := &PipelineClient{Addr: addr, MaxConns: 2}
	defer pc.Close()
	var wg sync.WaitGroup
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, resp := AcquireRequest(), AcquireResponse()
			defer ReleaseRequest(req)
			defer ReleaseResponse(resp)
			for i := 0; i < 20; i++ {
				path := fmt.Sprintf("/g%d/%d", g, i)
				req.SetRequestURI("http://" + addr + path)
				if err := pc.DoTimeout(req, resp, 5*time.Second); err != nil {
					t.Error(err)
					return
				}
				if got := string(resp.Body()); got != "GET "+path {
					t.Errorf("got %q for %s: responses out of order", got, path)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := srv.Stats().AcceptedConns; n > 2 {
		t.Fatalf("%d connections for MaxConns 2", n)
	}
}

func TestPipelineClientTimeout(t *testing.T) {
	release := make(chan struct{})
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			<-release
		}
		ctx.Write(ctx.Path())
	})
	pc := &PipelineClient{Addr: addr}
	defer pc.Close()
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/slow")
	if err := pc.DoTimeout(req, resp, 50*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("slow: %v", err)
	}
	close(release)
	// The abandoned response is dropped; the next one is ours.
	req2 := AcquireRequest()
	req2.SetRequestURI("http://" + addr + "/next")
	if err := pc.DoTimeout(req2, resp, 5*time.Second); err != nil || string(resp.Body()) != "/next" {
		t.Fatalf("next: %q %v", resp.Body(), err)
	}
}

// pipelineRawServer answers pipelined requests in order, by path: "/body"
// gets "BODY", "/204" and "/304" their status, "/empty" an empty 200, a
// HEAD request the head of "BODY", and "/err" a body cut short (then the
// connection closes).
func pipelineRawServer(t *testing.T) string {
	t.Helper()
	addr, _ := rawTCPServer(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, req.Body)
			var out string
			switch {
			case req.Method == "HEAD":
				out = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"
			case req.URL.Path == "/204":
				out = "HTTP/1.1 204 No Content\r\n\r\n"
			case req.URL.Path == "/304":
				out = "HTTP/1.1 304 Not Modified\r\nContent-Length: 4\r\n\r\n"
			case req.URL.Path == "/empty":
				out = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
			case req.URL.Path == "/err":
				_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nBO")
				return
			default:
				out = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nBODY"
			}
			if _, err := io.WriteString(c, out); err != nil {
				return
			}
		}
	})
	return addr
}

// TestPipelineClientReusedWorkReset: the pooled work of a call never
// carries the body of an earlier response into a HEAD, 204, 304, empty or
// failed one.
func TestPipelineClientReusedWorkReset(t *testing.T) {
	addr := pipelineRawServer(t)
	pc := &PipelineClient{Addr: addr}
	defer pc.Close()
	do := func(method, path string) (*Response, error) {
		req, resp := AcquireRequest(), AcquireResponse()
		defer ReleaseRequest(req)
		req.Header.SetMethod(method)
		req.SetRequestURI("http://" + addr + path)
		return resp, pc.DoTimeout(req, resp, 5*time.Second)
	}
	for _, k := range []struct{ method, path string }{
		{"HEAD", "/"}, {"GET", "/204"}, {"GET", "/304"}, {"GET", "/empty"}, {"GET", "/err"},
	} {
		resp, err := do("GET", "/body")
		if err != nil || string(resp.Body()) != "BODY" {
			t.Fatalf("before %s %s: %v %q", k.method, k.path, err, resp.Body())
		}
		resp, err = do(k.method, k.path)
		if k.path == "/err" {
			if err == nil {
				t.Fatalf("%s: no error, body %q", k.path, resp.Body())
			}
		} else if err != nil {
			t.Fatalf("%s %s: %v", k.method, k.path, err)
		}
		if len(resp.Body()) != 0 {
			t.Fatalf("%s %s: body %q of another response", k.method, k.path, resp.Body())
		}
	}
	// And the pipeline still works.
	if resp, err := do("GET", "/body"); err != nil || string(resp.Body()) != "BODY" {
		t.Fatalf("after: %v %q", err, resp.Body())
	}
}

// TestPipelineClientStreamedBodyFraming: streamed bodies and trailers are
// framed as the head announces them; a stream longer than its announced
// size is cut at that size, never sent on as a second request.
func TestPipelineClientStreamedBodyFraming(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	addr, _ := clientServer(t, func(ctx *RequestCtx) {
		mu.Lock()
		seen = append(seen, string(ctx.Path())+" "+string(ctx.PostBody())+" "+string(ctx.Request.Header.Trailer("X-T")))
		mu.Unlock()
		ctx.WriteString("ok")
	})
	pc := &PipelineClient{Addr: addr}
	defer pc.Close()
	cases := []struct {
		name string
		set  func(req *Request)
		want string
	}{
		{"sized", func(r *Request) {
			r.SetBodyStream(strings.NewReader("hello"+"GET /admin HTTP/1.1\r\nHost: x\r\n\r\n"), 5)
		}, "/sized hello "},
		{"chunked", func(r *Request) { r.SetBodyStream(strings.NewReader("hello"), -1) }, "/chunked hello "},
		{"trailer", func(r *Request) { r.SetBodyString("hello"); r.Header.SetTrailer("X-T", "t") }, "/trailer hello t"},
	}
	for _, c := range cases {
		req, resp := AcquireRequest(), AcquireResponse()
		req.Header.SetMethod("POST")
		req.SetRequestURI("http://" + addr + "/" + c.name)
		c.set(req)
		if err := pc.DoTimeout(req, resp, 5*time.Second); err != nil || string(resp.Body()) != "ok" {
			t.Fatalf("%s: %v %q", c.name, err, resp.Body())
		}
	}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/last")
	if err := pc.DoTimeout(req, resp, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"/sized hello ", "/chunked hello ", "/trailer hello t", "/last  "}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("server saw %q, want %q", seen, want)
	}
}

// stuckServer accepts connections and never reads from them nor answers.
func stuckServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return ln.Addr().String()
}

// TestPipelineClientWriteTimeout: a write that times out closes the
// connection and fails the calls on it, instead of leaving them waiting
// for responses to requests that were never sent whole.
func TestPipelineClientWriteTimeout(t *testing.T) {
	addr := stuckServer(t)
	pc := &PipelineClient{Addr: addr, ConnConfig: ConnConfig{WriteTimeout: 100 * time.Millisecond}}
	defer pc.Close()
	body := bytes.Repeat([]byte("x"), 16<<20)
	errs := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() {
			req, resp := AcquireRequest(), AcquireResponse()
			req.Header.SetMethod("POST")
			req.SetRequestURI("http://" + addr + "/")
			req.SetBody(body)
			errs <- pc.Do(req, resp) // no deadline of its own
		}()
	}
	for i := 0; i < 3; i++ {
		select {
		case err := <-errs:
			if err == nil {
				t.Fatal("a call to a server that reads nothing succeeded")
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("call %d still waiting 5 s after its write timed out", i)
		}
	}
}

// TestPipelineClientClose: calls queued or in flight when Close is called
// return ErrClientClosed, and so do later ones.
func TestPipelineClientClose(t *testing.T) {
	addr := stuckServer(t)
	pc := &PipelineClient{Addr: addr}
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			req, resp := AcquireRequest(), AcquireResponse()
			req.SetRequestURI("http://" + addr + "/")
			errs <- pc.Do(req, resp)
		}()
	}
	time.Sleep(100 * time.Millisecond)
	pc.Close()
	for i := 0; i < 4; i++ {
		select {
		case err := <-errs:
			if !errors.Is(err, ErrClientClosed) {
				t.Fatalf("call %d: %v, want ErrClientClosed", i, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("call %d never returned after Close", i)
		}
	}
	req, resp := AcquireRequest(), AcquireResponse()
	req.SetRequestURI("http://" + addr + "/")
	if err := pc.Do(req, resp); !errors.Is(err, ErrClientClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestPipelineClientRefusesInvalidHead: a request the head writer refuses
// fails alone with ErrInvalidHeaderField; the connection and the calls
// around it go on.
func TestPipelineClientRefusesInvalidHead(t *testing.T) {
	addr, srv := clientServer(t, func(ctx *RequestCtx) { ctx.Write(ctx.Path()) })
	pc := &PipelineClient{Addr: addr}
	defer pc.Close()
	for i, bad := range []func(r *Request){
		func(r *Request) { r.Header.SetMethod("GET /admin HTTP/1.1\r\n") },
		func(r *Request) { r.Header.Set("X-A", "v\r\nGET /admin HTTP/1.1") },
		func(r *Request) { r.URI().SetQueryString("a\nb") },
	} {
		req, resp := AcquireRequest(), AcquireResponse()
		req.SetRequestURI("http://" + addr + "/bad")
		bad(req)
		if err := pc.DoTimeout(req, resp, 5*time.Second); !errors.Is(err, ErrInvalidHeaderField) {
			t.Fatalf("case %d: %v, want ErrInvalidHeaderField", i, err)
		}
		req.Reset()
		req.SetRequestURI("http://" + addr + "/good")
		if err := pc.DoTimeout(req, resp, 5*time.Second); err != nil || string(resp.Body()) != "/good" {
			t.Fatalf("case %d, next call: %v %q", i, err, resp.Body())
		}
	}
	if n := srv.Stats().AcceptedConns; n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

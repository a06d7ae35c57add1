package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// rawUpstream accepts connections on 127.0.0.1 and runs serve on each.
func rawUpstream(t *testing.T, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// readHead reads a request head from c.
func readHead(c net.Conn) *bufio.Reader {
	br := bufio.NewReader(c)
	for {
		l, err := br.ReadString('\n')
		if err != nil || l == "\r\n" {
			return br
		}
	}
}

func TestUpstreamConnectionRefused502(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	addr, _, logs := front(t, Config{Upstreams: []string{"http://" + dead}})
	resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 502 || body != "Bad Gateway" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if l := logs.String(); !strings.Contains(l, "refused") || !strings.Contains(l, "status=502") {
		t.Errorf("log: %s", l)
	}
}

func TestUpstreamBadResponse502(t *testing.T) {
	up := rawUpstream(t, func(c net.Conn) {
		readHead(c)
		io.WriteString(c, "SMTP ready\r\n\r\n")
	})
	addr, _, logs := front(t, Config{Upstreams: []string{"http://" + up}})
	resp, _ := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 502 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !strings.Contains(logs.String(), "status=502") {
		t.Errorf("log: %s", logs)
	}
}

// An upstream that takes the request and never answers gets a 504 once
// ResponseHeaderTimeout passed.
func TestUpstreamStalls504(t *testing.T) {
	up := rawUpstream(t, func(c net.Conn) {
		readHead(c)
		time.Sleep(2 * time.Second)
	})
	addr, _, logs := front(t, Config{Upstreams: []string{"http://" + up}, ResponseHeaderTimeout: 100 * time.Millisecond})
	start := time.Now()
	resp, _ := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 504 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("504 after %v", d)
	}
	if l := logs.String(); !strings.Contains(l, "timeout") || !strings.Contains(l, "status=504") {
		t.Errorf("log: %s", l)
	}
}

// ResponseHeaderTimeout bounds the wait for the response, not the body:
// a body that takes longer (but is never silent for IdleTimeout) still
// arrives whole.
func TestResponseHeaderTimeoutSparesBody(t *testing.T) {
	up := rawUpstream(t, func(c net.Conn) {
		readHead(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
		time.Sleep(300 * time.Millisecond)
		c.Write(make([]byte, 100000))
	})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}, ResponseHeaderTimeout: 100 * time.Millisecond, IdleTimeout: 2 * time.Second})
	resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 200 || len(body) != 100000 {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
	}
}

// The header timeout is per upstream connection: a slow upstream does
// not slow a second request on a fresh connection, and after a timeout
// the next request is served.
func TestUpstreamTimeoutThenRecovers(t *testing.T) {
	slow := make(chan bool, 1)
	slow <- true
	up := rawUpstream(t, func(c net.Conn) {
		br := readHead(c)
		_ = br
		select {
		case <-slow:
			time.Sleep(time.Second)
			return
		default:
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}, ResponseHeaderTimeout: 100 * time.Millisecond})
	if resp, _ := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 504 {
		t.Fatalf("first: %d", resp.StatusCode)
	}
	if resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("second: %d %q", resp.StatusCode, body)
	}
}

func TestRewriteRequestAndModifyResponse(t *testing.T) {
	up := serve(t, &volt.Server{Handler: echoHeaders})
	addr, _, _ := front(t, Config{
		Upstreams: []string{"http://" + up},
		RewriteRequest: func(ctx *volt.RequestCtx, req *volt.Request) {
			req.Header.SetRequestURI("/api" + string(ctx.Request.Header.RequestURI()))
			req.Header.Set("X-Added", "1")
		},
		ModifyResponse: func(ctx *volt.RequestCtx, resp *volt.Response) error {
			resp.Header.Set("X-Modified", string(ctx.Path()))
			return nil
		},
	})
	resp, body := roundTrip(t, addr, "GET /v1?q=2 HTTP/1.1\r\nHost: a\r\n\r\n")
	if !strings.HasPrefix(body, "GET /api/v1?q=2\n") || len(headerLines(body, "X-Added")) != 1 {
		t.Errorf("upstream saw %q", body)
	}
	if resp.Header.Get("X-Modified") != "/v1" {
		t.Errorf("X-Modified = %q", resp.Header.Get("X-Modified"))
	}
}

// A ModifyResponse error answers 502, also when the body was a stream
// (whose upstream connection is then closed).
func TestModifyResponseError502(t *testing.T) {
	up := serve(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) == "/big" {
			ctx.Response.SetBodyStream(&patternReader{left: 1 << 20}, 1<<20)
			return
		}
		ctx.WriteString("small")
	}})
	addr, p, logs := front(t, Config{
		Upstreams:      []string{"http://" + up},
		ModifyResponse: func(*volt.RequestCtx, *volt.Response) error { return errors.New("refused by policy") },
	})
	for _, path := range []string{"/small", "/big"} {
		resp, body := roundTrip(t, addr, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
		if resp.StatusCode != 502 || body != "Bad Gateway" {
			t.Errorf("%s: %d %q", path, resp.StatusCode, body)
		}
	}
	if !strings.Contains(logs.String(), "refused by policy") {
		t.Errorf("log: %s", logs)
	}
	if n := p.ups[0].hc.ConnsCount(); n > 1 {
		t.Errorf("%d upstream connections left open", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := New(Config{}); err != ErrNoUpstreams {
		t.Errorf("no upstreams: %v", err)
	}
	for _, u := range []string{"ftp://a", "http://", "http://a/path", "http://u:p@a", "a:80", "http://a?x"} {
		if _, err := New(Config{Upstreams: []string{u}}); err != ErrBadUpstream {
			t.Errorf("%q: %v", u, err)
		}
	}
	p, err := New(Config{Upstreams: []string{"https://example.com", "http://[::1]"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.ups[0].hc.Addr != "example.com:443" || !p.ups[0].hc.IsTLS || p.ups[1].hc.Addr != "[::1]:80" {
		t.Errorf("addresses %q %q", p.ups[0].hc.Addr, p.ups[1].hc.Addr)
	}
}

// An upstream that goes silent in the middle of its body for IdleTimeout
// fails the exchange: the client sees the body cut short (the
// connection closes before the announced length), and the cause is
// logged.
func TestUpstreamSilentBodyIdleTimeout(t *testing.T) {
	up := rawUpstream(t, func(c net.Conn) {
		readHead(c)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
		c.Write(make([]byte, 50000))
		time.Sleep(3 * time.Second)
	})
	addr, _, logs := front(t, Config{Upstreams: []string{"http://" + up}, IdleTimeout: 200 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	start := time.Now()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the proxy did not close the connection: %v", err)
	}
	if !strings.HasPrefix(string(got), "HTTP/1.1 200 OK\r\n") || !strings.Contains(string(got), "Content-Length: 100000\r\n") {
		t.Fatalf("head %q", got[:min(len(got), 200)])
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("cut after %v", d)
	}
	if !strings.Contains(logs.String(), "upstream response body failed") {
		t.Errorf("log: %s", logs)
	}
}

// An upstream that stops taking the request body fails the exchange
// after IdleTimeout, with 504.
func TestUpstreamStopsReadingBody504(t *testing.T) {
	up := rawUpstream(t, func(c net.Conn) {
		readHead(c)
		time.Sleep(3 * time.Second)
	})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}, IdleTimeout: 200 * time.Millisecond, ResponseHeaderTimeout: 10 * time.Second})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	const n = 64 << 20
	go func() {
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 67108864\r\n\r\n")
		io.Copy(c, &patternReader{left: n})
	}()
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 504 {
		t.Errorf("status %d", resp.StatusCode)
	}
}

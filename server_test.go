package volt

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/memconn"
)

func echoHandler(ctx *RequestCtx) {
	ctx.SetContentType("text/plain")
	fmt.Fprintf(ctx, "%s %s %s host=%s body=%s", ctx.Method(), ctx.Path(), ctx.QueryArgs().Peek("q"), ctx.Host(), ctx.PostBody())
}

func TestServeKeepAlive(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	for i := 0; i < 5; i++ {
		resp, body := exchange(t, c, br, fmt.Sprintf("GET /a/../b%d?q=%d HTTP/1.1\r\nHost: example.com\r\n\r\n", i, i))
		want := fmt.Sprintf("GET /b%d %d host=example.com body=", i, i)
		if resp.StatusCode != 200 || body != want {
			t.Fatalf("got %d %q, want %q", resp.StatusCode, body, want)
		}
		if resp.Header.Get("Server") != "volt" || resp.Header.Get("Date") == "" || resp.ContentLength != int64(len(want)) {
			t.Fatalf("header %v", resp.Header)
		}
	}
}

func TestServePOSTBodies(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler})
	cases := []struct{ name, raw, want string }{
		{"content-length", "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", "body=hello"},
		{"chunked", "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\n\r\n", "body=hello"},
		{"empty", "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", "body="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, ln)
			br := bufio.NewReader(c)
			// Twice on one connection: the body must be consumed exactly.
			for i := 0; i < 2; i++ {
				resp, body := exchange(t, c, br, tc.raw)
				if resp.StatusCode != 200 || !strings.HasSuffix(body, tc.want) {
					t.Fatalf("got %d %q", resp.StatusCode, body)
				}
			}
		})
	}
}

// TestRejections checks each strict RFC 9112 rule: the status sent, the
// connection closed, and the next connection served.
func TestRejections(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, MaxHeaderBytes: 1024, MaxHeaderCount: 8, MaxURILength: 64, MaxRequestBodySize: 16})
	cases := []struct {
		name, raw string
		status    int
	}{
		{"RFC9112-6.3-CL-and-TE", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"RFC9112-6.3-differing-CL", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
		{"RFC9110-8.6-CL-list-differs", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd", 400},
		{"RFC9110-8.6-CL-non-numeric", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3x\r\n\r\nabc", 400},
		{"RFC9110-8.6-CL-negative", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
		{"RFC9112-6.3-TE-not-chunked-last", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
		{"RFC9112-6.1-TE-unknown-coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
		{"RFC9112-7.1-bad-chunk-size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400},
		{"RFC9112-7.1.1-bad-chunk-ext", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;=x\r\nabc\r\n0\r\n\r\n", 400},
		{"RFC9112-7.1-missing-chunk-CRLF", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 400},
		{"RFC9112-5.2-obs-fold", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n", 400},
		{"RFC9112-5.1-space-before-colon", "GET / HTTP/1.1\r\nHost: h\r\nX-A : a\r\n\r\n", 400},
		{"RFC9110-5.1-non-token-name", "GET / HTTP/1.1\r\nHost: h\r\nX(A): a\r\n\r\n", 400},
		{"RFC9110-5.5-NUL-in-value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n", 400},
		{"RFC9110-5.5-CR-in-value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n", 400},
		{"RFC9112-2.2-bare-CR", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400},
		{"RFC9112-2.2-bare-LF", "GET / HTTP/1.1\nHost: h\n\n", 400},
		{"RFC9112-3.2-invalid-target", "GET /a\"b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"RFC9112-3.2-fragment-in-target", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"RFC9112-2.3-version-2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
		{"RFC9112-2.3-malformed-version", "GET / HTTP/1\r\nHost: h\r\n\r\n", 400},
		{"RFC9112-3.2-missing-host", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400},
		{"RFC9112-3.2-two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
		{"header-too-large", "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", 1100) + "\r\n\r\n", 431},
		{"too-many-headers", "GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("X-A: b\r\n", 8) + "\r\n", 431},
		{"uri-too-long", "GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414},
		{"uri-too-long-unfinished", "GET /" + strings.Repeat("a", 200), 414},
		{"body-too-large", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n" + strings.Repeat("a", 17), 413},
		{"chunked-body-too-large", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n" + strings.Repeat("a", 17) + "\r\n0\r\n\r\n", 413},
		{"HTTP/1.0-with-TE", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"invalid-method", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"double-space", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"dot-dot-percent-NUL", "GET /%00 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"RFC9112-2.2-many-empty-lines", strings.Repeat("\r\n", 40) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"RFC9112-3.2.4-asterisk-not-OPTIONS", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, ln)
			br := bufio.NewReader(c)
			resp, _ := exchange(t, c, br, tc.raw)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if !resp.Close {
				t.Error("response does not say Connection: close")
			}
			expectClosed(t, c, br)
			// The server goes on serving others.
			c2 := dial(t, ln)
			resp, _ = exchange(t, c2, bufio.NewReader(c2), get("/ok"))
			if resp.StatusCode != 200 {
				t.Fatalf("next connection got %d", resp.StatusCode)
			}
		})
	}
}

func TestAllowedOddities(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "%s %s", ctx.Method(), ctx.Request.Header.RequestURI())
	}})
	cases := []struct{ raw, want string }{
		{"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "OPTIONS *"},
		// RFC 9110 section 2.5: a higher minor version is served as 1.1.
		{"GET /minor HTTP/1.2\r\nHost: h\r\n\r\n", "GET /minor"},
		{"\r\n\r\nGET /after-empty-lines HTTP/1.1\r\nHost: h\r\n\r\n", "GET /after-empty-lines"},
		{"MKCOLA /any-token-method HTTP/1.1\r\nHost: h\r\n\r\n", "MKCOLA /any-token-method"},
		{"GET http://example.com/abs?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET http://example.com/abs?x=1"},
	}
	for _, tc := range cases {
		c := dial(t, ln)
		if resp, body := exchange(t, c, bufio.NewReader(c), tc.raw); resp.StatusCode != 200 || body != tc.want {
			t.Errorf("%q: %d %q", tc.raw, resp.StatusCode, body)
		}
	}
}

func TestLeniencyOptions(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.Write(ctx.Request.Header.Peek("X-A"))
	}, Lenient: Leniency{BareLF: true, ObsFold: true}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, body := exchange(t, c, br, "GET / HTTP/1.1\nHost: h\nX-A: a\n  b\n\n")
	if resp.StatusCode != 200 || body != "a   b" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
}

func TestHeaderNamesNormalizing(t *testing.T) {
	var names []string
	handler := func(ctx *RequestCtx) {
		names = names[:0]
		for k := range ctx.Request.Header.All() {
			names = append(names, string(k))
		}
		ctx.Write(ctx.Request.Header.Peek("x-custom-header"))
	}
	for _, keep := range []bool{false, true} {
		ln := testServer(t, &Server{Handler: handler, DisableHeaderNamesNormalizing: keep})
		c := dial(t, ln)
		_, body := exchange(t, c, bufio.NewReader(c), "GET / HTTP/1.1\r\nhost: h\r\nx-CUSTOM-header: v\r\n\r\n")
		want := "Host,X-Custom-Header"
		if keep {
			want = "host,x-CUSTOM-header"
		}
		if strings.Join(names, ",") != want || body != "v" {
			t.Errorf("keep=%v: names %v body %q", keep, names, body)
		}
	}
}

func TestPipelining(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	var raw strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&raw, "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i)
	}
	raw.WriteString("POST /last HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	io.WriteString(c, raw.String())
	for i := 0; i < 20; i++ {
		_, body := exchange(t, c, br, "")
		if want := fmt.Sprintf("GET /%d  host=h body=", i); body != want {
			t.Fatalf("response %d: %q, want %q", i, body, want)
		}
	}
	resp, body := exchange(t, c, br, "")
	if body != "POST /last  host=h body=ok" || !resp.Close {
		t.Fatalf("last: %q close=%v", body, resp.Close)
	}
	expectClosed(t, c, br)
}

// countingConn counts the writes made to a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

type countingListener struct {
	net.Listener
	writes *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, l.writes}, nil
}

func TestPipeliningBatchesWrites(t *testing.T) {
	var writes atomic.Int64
	inner := memconn.NewListener()
	s := &Server{Handler: func(ctx *RequestCtx) { ctx.WriteString("x") }}
	serveOn(t, s, countingListener{Listener: inner, writes: &writes})
	c := dial(t, inner)
	br := bufio.NewReader(c)
	io.WriteString(c, strings.Repeat("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 16))
	for i := 0; i < 16; i++ {
		exchange(t, c, br, "")
	}
	if n := writes.Load(); n != 1 {
		t.Fatalf("16 pipelined responses took %d writes, want 1", n)
	}
}

func TestHeadAndBodylessStatuses(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		switch string(ctx.Path()) {
		case "/204":
			ctx.SetStatusCode(204)
		case "/304":
			ctx.SetStatusCode(304)
		}
		ctx.WriteString("body that must not be sent")
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")
	head, err := readRawHead(br)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(head, "Content-Length: 26\r\n") {
		t.Fatalf("HEAD response lacks the GET length: %q", head)
	}
	for _, p := range []string{"/204", "/304"} {
		io.WriteString(c, get(p))
		head, err := readRawHead(br)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(head, "Content-Length") || strings.Contains(head, "Transfer-Encoding") {
			t.Fatalf("%s: head has framing: %q", p, head)
		}
	}
	// Nothing may follow: the next response starts right away.
	resp, body := exchange(t, c, br, get("/"))
	if resp.StatusCode != 200 || body != "body that must not be sent" {
		t.Fatalf("after bodyless responses: %d %q", resp.StatusCode, body)
	}
}

// readRawHead reads one response head as text.
func readRawHead(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		line, err := br.ReadString('\n')
		sb.WriteString(line)
		if err != nil {
			return sb.String(), err
		}
		if line == "\r\n" {
			return sb.String(), nil
		}
	}
}

func TestHTTP10KeepAlive(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, _ := exchange(t, c, br, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if resp.Close || resp.Header.Get("Connection") != "keep-alive" {
		t.Fatalf("HTTP/1.0 keep-alive not honoured: close=%v %v", resp.Close, resp.Header)
	}
	resp, _ = exchange(t, c, br, "GET /b HTTP/1.0\r\n\r\n")
	if !resp.Close {
		t.Fatal("HTTP/1.0 without keep-alive must close")
	}
	expectClosed(t, c, br)
}

func TestConnectionClose(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/bye" {
			ctx.Response.Header.SetConnectionClose()
		}
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, _ := exchange(t, c, br, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	if !resp.Close {
		t.Fatal("request Connection: close not honoured")
	}
	expectClosed(t, c, br)
	c = dial(t, ln)
	br = bufio.NewReader(c)
	resp, _ = exchange(t, c, br, get("/bye"))
	if !resp.Close {
		t.Fatal("response Connection: close not sent")
	}
	expectClosed(t, c, br)
}

func TestMaxRequestsPerConn(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, MaxRequestsPerConn: 3})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	for i := 1; i <= 3; i++ {
		resp, _ := exchange(t, c, br, get("/"))
		if resp.Close != (i == 3) {
			t.Fatalf("request %d: close=%v", i, resp.Close)
		}
	}
	expectClosed(t, c, br)
}

func TestDisableKeepalive(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, DisableKeepalive: true})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, _ := exchange(t, c, br, get("/"))
	if !resp.Close {
		t.Fatal("keep-alive not disabled")
	}
	expectClosed(t, c, br)
}

func TestPanicRecovery(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/panic" {
			ctx.WriteString("partial")
			panic("boom")
		}
		ctx.WriteString("fine")
	}, Logger: discardLogger()})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, body := exchange(t, c, br, get("/panic"))
	if resp.StatusCode != 500 || strings.Contains(body, "partial") || !resp.Close {
		t.Fatalf("panic answered %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	expectClosed(t, c, br)
	c = dial(t, ln)
	if _, body := exchange(t, c, bufio.NewReader(c), get("/")); body != "fine" {
		t.Fatalf("after panic: %q", body)
	}
}

// TestPanicAfterFlush: a panic after part of a chunked response went out
// closes the connection without the last chunk, so the client sees a
// truncated body, never a complete one.
func TestPanicAfterFlush(t *testing.T) {
	ln := testServer(t, &Server{Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		ctx.WriteString("partial")
		ctx.Flush()
		panic("boom")
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, get("/"))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err == nil || string(body) != "partial" {
		t.Fatalf("body %q, err %v: the truncation must show", body, err)
	}
}

func TestPanicInStreamWriter(t *testing.T) {
	ln := testServer(t, &Server{Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) != "/panic" {
			return
		}
		ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
			w.WriteString("partial")
			w.Flush()
			panic("boom")
		})
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, get("/panic"))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if body, err := io.ReadAll(resp.Body); err == nil || string(body) != "partial" {
		t.Fatalf("body %q, err %v", body, err)
	}
	c2 := dial(t, ln)
	if resp, _ := exchange(t, c2, bufio.NewReader(c2), get("/")); resp.StatusCode != 200 {
		t.Fatal("server down after a stream writer panic")
	}
}

func TestNilHandler404(t *testing.T) {
	ln := testServer(t, &Server{})
	c := dial(t, ln)
	if resp, _ := exchange(t, c, bufio.NewReader(c), get("/")); resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestErrorHandler(t *testing.T) {
	ln := testServer(t, &Server{ErrorHandler: func(ctx *RequestCtx, err error) {
		ctx.SetBodyString("custom: " + err.Error())
	}})
	c := dial(t, ln)
	resp, body := exchange(t, c, bufio.NewReader(c), "GET / HTTP/1.1\r\n\r\n")
	if resp.StatusCode != 400 || body != "custom: "+ErrMissingHost.Error() {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
}

func TestServerName(t *testing.T) {
	ln := testServer(t, &Server{Name: "acme", Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/own" {
			ctx.Response.Header.Set("Server", "mine")
		}
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	if resp, _ := exchange(t, c, br, get("/")); resp.Header.Get("Server") != "acme" {
		t.Fatalf("Server %q", resp.Header.Get("Server"))
	}
	if resp, _ := exchange(t, c, br, get("/own")); resp.Header.Values("Server")[0] != "mine" || len(resp.Header.Values("Server")) != 1 {
		t.Fatalf("Server %q", resp.Header.Values("Server"))
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPipelinedResponseNotHeldByIncompleteNext: the responses to pipelined
// requests go out before the server waits for the rest of the next
// request, whether its head or its body is incomplete.
func TestPipelinedResponseNotHeldByIncompleteNext(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler})
	for _, tc := range []struct{ first, rest string }{
		{"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHo", "st: h\r\n\r\n"},
		{"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab", "cd"},
		{"GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab", "\r\n2\r\ncd\r\n0\r\n\r\n"},
	} {
		c := dial(t, ln)
		br := bufio.NewReader(c)
		io.WriteString(c, tc.first)
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%q: first response held back: %v", tc.first, err)
		}
		io.Copy(io.Discard, resp.Body)
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, body := exchange(t, c, br, tc.rest); !strings.HasSuffix(body, "/2  host=h body=") && !strings.HasSuffix(body, "body=abcd") {
			t.Fatalf("second response: %q", body)
		}
	}
}

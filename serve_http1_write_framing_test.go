package volt

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServerErrorsCarryTheDate checks that the responses the server writes
// itself (here 400, 431 and 408) carry the current date, not the zero
// time, on a fresh connection and on a reused one.
func TestServerErrorsCarryTheDate(t *testing.T) {
	srv := &Server{Handler: func(ctx *RequestCtx) {}, MaxHeaderBytes: 512, ReadTimeout: 200 * time.Millisecond, IdleTimeout: 5 * time.Second}
	ln := testServer(t, srv)
	cases := []struct{ name, first, req string }{
		{"400", "", "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"},
		{"431", "", "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", 600) + "\r\n\r\n"},
		{"400 after a request", get("/"), "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"},
		{"408", "", "GET / HTTP/1.1\r\nHost: h\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, ln)
			br := bufio.NewReader(c)
			if tc.first != "" {
				exchange(t, c, br, tc.first)
				time.Sleep(1100 * time.Millisecond) // a new second
			}
			resp, _ := exchange(t, c, br, tc.req)
			if resp.StatusCode < 400 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			d, err := http.ParseTime(resp.Header.Get("Date"))
			if err != nil || time.Since(d) > 2*time.Second || time.Until(d) > 2*time.Second {
				t.Fatalf("%d: Date %q (%v)", resp.StatusCode, resp.Header.Get("Date"), err)
			}
		})
	}
}

// TestSkipBodyFraming checks that SkipBody on a response to a method
// other than HEAD announces Content-Length: 0 (the body it does not send),
// so that the next response on the connection is read intact; on HEAD
// the length of the body stays.
func TestSkipBodyFraming(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		switch string(ctx.Path()) {
		case "/skip":
			ctx.WriteString("not sent")
			ctx.Response.SkipBody = true
		case "/skip-stream":
			ctx.Response.SetBodyStream(strings.NewReader("not sent"), 8)
			ctx.Response.SkipBody = true
		case "/skip-writer":
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) { w.WriteString("not sent") })
			ctx.Response.SkipBody = true
		default:
			ctx.WriteString("next")
		}
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	for _, p := range []string{"/skip", "/skip-stream", "/skip-writer"} {
		io.WriteString(c, get(p)+get("/next"))
		resp, body := exchange(t, c, br, "")
		if resp.StatusCode != 200 || body != "" || resp.ContentLength != 0 {
			t.Fatalf("%s: %d length %d body %q", p, resp.StatusCode, resp.ContentLength, body)
		}
		resp, body = exchange(t, c, br, "")
		if body != "next" {
			t.Fatalf("after %s: %d %q", p, resp.StatusCode, body)
		}
	}
	io.WriteString(c, "HEAD /skip HTTP/1.1\r\nHost: h\r\n\r\n")
	head, err := readRawHead(br)
	if err != nil || !strings.Contains(head, "Content-Length: 8\r\n") {
		t.Fatalf("HEAD: %q %v", head, err)
	}
}

// TestConnect2xxHasNoFraming checks RFC 9110 section 9.3.6: a 2xx response
// to CONNECT carries neither Content-Length nor Transfer-Encoding, nor a
// body; without a Hijack, nothing serves the tunnel, so the connection
// closes.
func TestConnect2xxHasNoFraming(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Request.Header.RequestURI()) == "stream.example:443" {
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) { w.WriteString("stream") })
			return
		}
		ctx.WriteString("tunnel body")
	}})
	for _, target := range []string{"example.com:443", "stream.example:443"} {
		c := dial(t, ln)
		io.WriteString(c, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n")
		wire, _ := io.ReadAll(c)
		head, rest, _ := bytes.Cut(wire, []byte("\r\n\r\n"))
		if !bytes.HasPrefix(head, []byte("HTTP/1.1 200 OK\r\n")) || bytes.Contains(head, []byte("Content-Length")) ||
			bytes.Contains(head, []byte("Transfer-Encoding")) || len(rest) != 0 {
			t.Fatalf("%s: %q", target, wire)
		}
	}
}

// TestBodylessStatusesHaveNoFraming checks that 1xx (as a final status
// set by a handler), 204 and 304 carry neither framing field nor body,
// whatever the handler wrote or set.
func TestBodylessStatusesHaveNoFraming(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		code := 204
		switch string(ctx.Path()) {
		case "/304":
			code = 304
		case "/304-stream":
			code = 304
			ctx.Response.SetBodyStream(strings.NewReader("body"), 4)
		case "/204-writer":
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) { w.WriteString("body") })
		case "/204-length":
			ctx.Response.Header.SetContentLength(4)
		case "/204-flush":
			ctx.SetStatusCode(code)
			ctx.WriteString("body")
			_ = ctx.Flush()
			ctx.WriteString("more")
			return
		}
		ctx.SetStatusCode(code)
		ctx.WriteString("body")
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	for _, p := range []string{"/204", "/304", "/304-stream", "/204-writer", "/204-length", "/204-flush"} {
		io.WriteString(c, get(p))
		head, err := readRawHead(br)
		if err != nil {
			t.Fatalf("%s: %v %q", p, err, head)
		}
		if strings.Contains(head, "Content-Length") || strings.Contains(head, "Transfer-Encoding") {
			t.Fatalf("%s: head has framing: %q", p, head)
		}
		// The next response must start right away.
		resp, body := exchange(t, c, br, get("/next-is-204"))
		if resp.StatusCode != 204 || body != "" {
			t.Fatalf("after %s: %d %q", p, resp.StatusCode, body)
		}
	}
}

// TestInvalidTrailerAfterFlush checks that a trailer with CR or LF set
// after the head went out is not written: the body is left unterminated
// and the connection closes, and no field line is injected.
func TestInvalidTrailerAfterFlush(t *testing.T) {
	ln := testServer(t, &Server{Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		ctx.Response.Header.SetTrailer("X-Sum", "ok")
		ctx.WriteString("part")
		_ = ctx.Flush()
		ctx.Response.Header.SetTrailer("X-Sum", "1\r\nInjected: 1")
	}})
	c := dial(t, ln)
	io.WriteString(c, get("/"))
	wire, _ := io.ReadAll(c)
	if bytes.Contains(wire, []byte("\nInjected")) || bytes.Contains(wire, []byte("\r\n0\r\n")) {
		t.Fatalf("trailer written: %q", wire)
	}
	if !bytes.Contains(wire, []byte("4\r\npart\r\n")) {
		t.Fatalf("body: %q", wire)
	}
}

// TestInterimStatusRange checks that WriteInterim refuses a status that is
// not 1xx, 101, and any status once the final head was sent.
func TestInterimStatusRange(t *testing.T) {
	errs := make(chan error, 4)
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		var h ResponseHeader
		h.Reset()
		for _, code := range []int{200, 101, 99} {
			errs <- ctx.ResponseWriter().WriteInterim(code, &h)
		}
		ctx.Response.Header.SetContentLength(4)
		_ = ctx.Flush()
		errs <- ctx.ResponseWriter().WriteInterim(StatusEarlyHints, &h)
		ctx.WriteString("body")
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	resp, _ := exchange(t, c, br, get("/"))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; err != ErrInvalidHeaderField {
			t.Errorf("WriteInterim: %v", err)
		}
	}
	if br.Buffered() > 0 {
		t.Errorf("more bytes: %d", br.Buffered())
	}
}

// TestRejectCarriesDate checks that the answer to a connection over
// Concurrency (429 and 503 are written before any request is read) has a
// Date (RFC 9110 section 6.6.1).
func TestRejectCarriesDate(t *testing.T) {
	release := make(chan struct{})
	s := &Server{Concurrency: 1, Handler: func(ctx *RequestCtx) { <-release }}
	defer close(release)
	ln := testServer(t, s)
	c1 := dial(t, ln)
	io.WriteString(c1, get("/"))
	waitFor(t, "the first request to run", func() bool { return s.Stats().RequestsInFlight == 1 })
	c2 := dial(t, ln)
	resp, _ := exchange(t, c2, bufio.NewReader(c2), "")
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if resp.StatusCode != 503 || err != nil || time.Since(d) > 2*time.Second {
		t.Fatalf("%d Date %q", resp.StatusCode, resp.Header.Get("Date"))
	}
}

// TestOutOfRangeStatusIsFramedAs500 checks that a status outside
// 100..599, sent as 500, is framed as a 500 (with its body), and that a
// 1xx status left as the final one (which the client would take for an
// interim response) is answered with a plain 500; the connection stays
// in sync either way.
func TestOutOfRangeStatusIsFramedAs500(t *testing.T) {
	ln := testServer(t, &Server{Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		switch string(ctx.Path()) {
		case "/42":
			ctx.SetStatusCode(42)
		case "/-1":
			ctx.SetStatusCode(-1)
		case "/100":
			ctx.SetStatusCode(100)
		case "/103":
			ctx.SetStatusCode(103)
			ctx.Response.Header.Set("Link", "</a.css>")
		}
		ctx.WriteString("body")
	}})
	for _, p := range []string{"/42", "/-1", "/100", "/103"} {
		c := dial(t, ln)
		br := bufio.NewReader(c)
		io.WriteString(c, get(p)+get("/"))
		resp, body := exchange(t, c, br, "")
		if resp.StatusCode != 500 || resp.ContentLength < 0 || resp.Header.Get("Link") != "" {
			t.Fatalf("%s: %d length %d %q", p, resp.StatusCode, resp.ContentLength, body)
		}
		if p == "/42" || p == "/-1" {
			if body != "body" {
				t.Fatalf("%s: body %q", p, body)
			}
			// The connection stays usable.
			if resp, body := exchange(t, c, br, ""); resp.StatusCode != 200 || body != "body" {
				t.Fatalf("after %s: %d %q", p, resp.StatusCode, body)
			}
		}
	}
}

// TestInvalidHeadIsNotHijacked checks that a 101 whose head has an
// invalid field is answered with a plain 500 and that the hijack handler
// does not get the connection.
func TestInvalidHeadIsNotHijacked(t *testing.T) {
	hijacked := make(chan struct{}, 1)
	ln := testServer(t, &Server{Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		ctx.SetStatusCode(StatusSwitchingProtocols)
		ctx.Response.Header.Set("Upgrade", "websocket\r\nInjected: 1")
		ctx.Response.Header.Set("Connection", "Upgrade")
		ctx.Hijack(func(c net.Conn) { hijacked <- struct{}{} })
	}})
	c := dial(t, ln)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	wire, _ := io.ReadAll(c)
	if !bytes.HasPrefix(wire, []byte("HTTP/1.1 500 ")) || bytes.Contains(wire, []byte("Injected")) {
		t.Fatalf("got %q", wire)
	}
	select {
	case <-hijacked:
		t.Fatal("hijack handler ran")
	default:
	}
}

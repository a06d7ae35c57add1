package volt

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/testutil"
)

// TestDoneClientGone: Done closes when the client closes its connection
// while the handler runs.
func TestDoneClientGone(t *testing.T) {
	result := make(chan error, 1)
	s := &Server{Handler: func(ctx *RequestCtx) {
		select {
		case <-ctx.Done():
			result <- ctx.Err()
		case <-time.After(5 * time.Second):
			result <- errors.New("Done did not close")
		}
	}}
	for _, tcp := range []bool{false, true} {
		var c net.Conn
		if tcp {
			addr := testTCPServer(t, s)
			var err error
			if c, err = net.Dial("tcp", addr); err != nil {
				t.Fatal(err)
			}
		} else {
			c = dial(t, testServer(t, s))
		}
		io.WriteString(c, get("/"))
		waitFor(t, "the handler", func() bool { return s.Stats().RequestsInFlight == 1 })
		time.Sleep(20 * time.Millisecond)
		c.Close()
		err := <-result
		if !errors.Is(err, ErrClientGone) || !errors.Is(err, context.Canceled) {
			t.Fatalf("tcp=%v: Err() = %v", tcp, err)
		}
		s = &Server{Handler: s.Handler}
	}
}

// TestDoneKeepsPipelinedBytes: watching the connection must not lose the
// next pipelined request that the watcher reads.
func TestDoneKeepsPipelinedBytes(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		done := ctx.Done()
		if string(ctx.Path()) == "/first" {
			time.Sleep(50 * time.Millisecond) // the next request arrives meanwhile
		}
		select {
		case <-done:
			ctx.WriteString("cancelled")
		default:
			ctx.Write(ctx.Path())
		}
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, get("/first"))
	time.Sleep(10 * time.Millisecond)
	io.WriteString(c, get("/second"))
	for _, want := range []string{"/first", "/second"} {
		if _, body := exchange(t, c, br, ""); body != want {
			t.Fatalf("got %q, want %q", body, want)
		}
	}
}

func TestDoneOnShutdown(t *testing.T) {
	result := make(chan error, 1)
	s := &Server{Handler: func(ctx *RequestCtx) {
		<-ctx.Done()
		result <- ctx.Err()
		ctx.WriteString("bye")
	}}
	ln := testServer(t, s)
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, get("/"))
	waitFor(t, "the handler", func() bool { return s.Stats().RequestsInFlight == 1 })
	go s.Shutdown(context.Background())
	if err := <-result; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Err() = %v", err)
	}
	resp, body := exchange(t, c, br, "")
	if body != "bye" || !resp.Close {
		t.Fatalf("in-flight response %q close=%v", body, resp.Close)
	}
}

// TestAfterFuncOnShutdown: a function registered on a hijacked
// connection's context runs when the server shuts down, with no goroutine
// waiting for it meanwhile; a stopped one never runs.
func TestAfterFuncOnShutdown(t *testing.T) {
	ran := make(chan string, 2)
	registered := make(chan int, 1)
	s := &Server{Handler: func(ctx *RequestCtx) {
		ctx.SetStatusCode(StatusSwitchingProtocols)
		ctx.Hijack(func(c net.Conn) {
			before := runtime.NumGoroutine()
			stop := context.AfterFunc(ctx, func() { ran <- "stopped" })
			if !stop() {
				t.Error("stop before cancel reported false")
			}
			context.AfterFunc(ctx, func() { ran <- "f"; c.Close() })
			registered <- runtime.NumGoroutine() - before
			io.Copy(io.Discard, c)
		})
	}}
	ln := testServer(t, s)
	c := dial(t, ln)
	io.WriteString(c, get("/"))
	if n := <-registered; n != 0 {
		t.Errorf("context.AfterFunc started %d goroutines", n)
	}
	go s.Shutdown(context.Background())
	if got := <-ran; got != "f" {
		t.Fatalf("ran %q", got)
	}
	waitFor(t, "the connection to close", func() bool { return s.Stats().OpenConns == 0 })
	select {
	case got := <-ran:
		t.Fatalf("also ran %q", got)
	default:
	}
}

// TestShutdownGraceful: in-flight requests complete, new connections are
// refused, idle keep-alive connections close, and Shutdown returns.
func TestShutdownGraceful(t *testing.T) {
	release := make(chan struct{})
	s := &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/slow" {
			<-release
		}
		ctx.WriteString("done")
	}}
	addr := testTCPServer(t, s)
	idle, _ := net.Dial("tcp", addr)
	defer idle.Close()
	idleBR := bufio.NewReader(idle)
	exchange(t, idle, idleBR, get("/fast"))
	busy, _ := net.Dial("tcp", addr)
	defer busy.Close()
	busyBR := bufio.NewReader(busy)
	io.WriteString(busy, get("/slow"))
	waitFor(t, "the slow request", func() bool { return s.Stats().RequestsInFlight == 1 })

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	expectClosed(t, idle, idleBR)
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("new connection accepted during shutdown")
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned early: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	_ = busy.SetDeadline(time.Now().Add(5 * time.Second))
	resp, body := exchange(t, busy, busyBR, "")
	if body != "done" || !resp.Close {
		t.Fatalf("in-flight request got %q close=%v", body, resp.Close)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return")
	}
	if n := s.Stats().OpenConns; n != 0 {
		t.Fatalf("%d connections open after Shutdown", n)
	}
}

func TestShutdownContextExpires(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := &Server{Handler: func(ctx *RequestCtx) { <-release }}
	ln := testServer(t, s)
	c := dial(t, ln)
	io.WriteString(c, get("/"))
	waitFor(t, "the handler", func() bool { return s.Stats().RequestsInFlight == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v", err)
	}
}

// TestHijack: the hijack handler gets the connection after the 101 head,
// with the bytes the client sent right after its request.
func TestHijack(t *testing.T) {
	s := &Server{Handler: func(ctx *RequestCtx) {
		ctx.SetStatusCode(StatusSwitchingProtocols)
		ctx.Response.Header.Set("Upgrade", "echo")
		ctx.Response.Header.Set("Connection", "Upgrade")
		ctx.Hijack(func(c net.Conn) {
			buf := make([]byte, 64)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				c.Write(bytes.ToUpper(buf[:n]))
			}
		})
	}}
	ln := testServer(t, s)
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly bytes")
	head, err := readRawHead(br)
	if err != nil || !strings.HasPrefix(head, "HTTP/1.1 101 Switching Protocols\r\n") {
		t.Fatalf("head %q %v", head, err)
	}
	if strings.Contains(head, "Content-Length") || strings.Contains(head, "Transfer-Encoding") {
		t.Fatalf("101 with framing: %q", head)
	}
	if !strings.Contains(head, "\r\nConnection: Upgrade\r\n") || !strings.Contains(head, "\r\nUpgrade: echo\r\n") {
		t.Fatalf("101 without its Connection/Upgrade fields: %q", head)
	}
	got := make([]byte, len("EARLY BYTES"))
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "EARLY BYTES" {
		t.Fatalf("early bytes %q %v", got, err)
	}
	io.WriteString(c, "later")
	got = got[:5]
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "LATER" {
		t.Fatalf("later bytes %q %v", got, err)
	}
	st := s.Stats()
	if st.HijackedConns != 1 || st.OpenConns != 1 {
		t.Fatalf("stats while hijacked: %+v", st)
	}
	c.Close()
	waitFor(t, "the hijacked connection to close", func() bool { return s.Stats().OpenConns == 0 })
}

// TestHijackConnectionUpgrade: the Connection: Upgrade field a handler
// sets on a 101 response is sent (RFC 9110 section 7.8).
func TestHijackConnectionUpgrade(t *testing.T) {
	s := &Server{Handler: func(ctx *RequestCtx) {
		ctx.SetStatusCode(StatusSwitchingProtocols)
		ctx.Response.Header.Set("Upgrade", "echo")
		ctx.Response.Header.Set("Connection", "Upgrade")
		ctx.Hijack(func(c net.Conn) {})
	}}
	ln := testServer(t, s)
	c := dial(t, ln)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	head, err := readRawHead(bufio.NewReader(c))
	if err != nil || !strings.Contains(head, "\r\nConnection: Upgrade\r\n") {
		t.Fatalf("head %q %v", head, err)
	}
}

// TestHijackRequestStaysValid: the request's header fields stay readable
// in the hijack handler while other connections reuse the read buffers.
func TestHijackRequestStaysValid(t *testing.T) {
	got := make(chan string, 1)
	s := &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) != "/ws" {
			ctx.SetBodyString("other")
			return
		}
		ctx.SetStatusCode(StatusSwitchingProtocols)
		ctx.Hijack(func(c net.Conn) {
			var b [1]byte
			c.Read(b[:]) // wait until the other connection was served
			got <- string(ctx.Request.Header.Peek("X-Token")) + " " + string(ctx.Request.Header.Method())
		})
	}}
	ln := testServer(t, s)
	c := dial(t, ln)
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: h\r\nX-Token: abcdefgh\r\n\r\n")
	if _, err := readRawHead(bufio.NewReader(c)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		c2 := dial(t, ln)
		exchange(t, c2, bufio.NewReader(c2), "POST /zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz HTTP/1.1\r\nHost: h\r\nX-Other: zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\r\nContent-Length: 0\r\n\r\n")
		c2.Close()
	}
	c.Write([]byte("x"))
	if v := <-got; v != "abcdefgh GET" {
		t.Fatalf("in the hijack handler: %q", v)
	}
}

// TestHijackCountsAgainstConcurrency: a hijacked connection holds its
// Concurrency slot until it closes.
func TestHijackCountsAgainstConcurrency(t *testing.T) {
	s := &Server{Concurrency: 1, Handler: func(ctx *RequestCtx) {
		ctx.Hijack(func(c net.Conn) { io.Copy(io.Discard, c) })
	}}
	ln := testServer(t, s)
	c1 := dial(t, ln)
	exchange(t, c1, bufio.NewReader(c1), get("/"))
	c2 := dial(t, ln)
	if resp, _ := exchange(t, c2, bufio.NewReader(c2), ""); resp.StatusCode != 503 {
		t.Fatalf("second connection got %d, want 503", resp.StatusCode)
	}
	c1.Close()
	waitFor(t, "the slot to free", func() bool { return s.Stats().OpenConns == 0 })
	c3 := dial(t, ln)
	if resp, _ := exchange(t, c3, bufio.NewReader(c3), get("/")); resp.StatusCode != 200 {
		t.Fatalf("after close: %d", resp.StatusCode)
	}
}

func TestFormValues(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		fmt.Fprintf(ctx, "a=%s b=%s c=%s", ctx.FormValue("a"), ctx.FormValue("b"), ctx.FormValue("c"))
		if f, err := ctx.Request.MultipartForm(); err == nil {
			for _, fh := range f.File["file"] {
				r, _ := fh.Open()
				data, _ := io.ReadAll(r)
				r.Close()
				fmt.Fprintf(ctx, " file=%s:%s", fh.Filename, data)
			}
		}
	}})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	form := "b=2+3&c=%C3%A9&b=ignored"
	_, body := exchange(t, c, br, fmt.Sprintf("POST /?a=1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(form), form))
	if body != "a=1 b=2 3 c=é" {
		t.Fatalf("urlencoded: %q", body)
	}
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	w.WriteField("b", "from-multipart")
	fw, _ := w.CreateFormFile("file", "hello.txt")
	fw.Write([]byte("file contents"))
	w.Close()
	_, body = exchange(t, c, br, fmt.Sprintf("POST /?a=q HTTP/1.1\r\nHost: h\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", w.FormDataContentType(), mp.Len(), mp.String()))
	if body != "a=q b=from-multipart c= file=hello.txt:file contents" {
		t.Fatalf("multipart: %q", body)
	}
}

func TestMultipartSpillsToDisk(t *testing.T) {
	addr := testTCPServer(t, &Server{MultipartMemory: 1024, MaxRequestBodySize: 8 << 20, Handler: func(ctx *RequestCtx) {
		f, err := ctx.Request.MultipartForm()
		if err != nil {
			ctx.Error(err.Error(), 400)
			return
		}
		fh := f.File["big"][0]
		r, _ := fh.Open()
		_, onDisk := r.(interface{ Name() string })
		n, _ := io.Copy(io.Discard, r)
		r.Close()
		fmt.Fprintf(ctx, "%d %v", n, onDisk)
	}})
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("big", "big.bin")
	fw.Write(bytes.Repeat([]byte("x"), 1<<20))
	w.Close()
	resp, err := http.Post("http://"+addr+"/", w.FormDataContentType(), &mp)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != "1048576 true" {
		t.Fatalf("got %q", got)
	}
}

func TestUserValuesAndRedirect(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.SetUserValue("k", 1)
		ctx.SetUserValue("k", 2)
		if ctx.UserValue("k") != 2 || ctx.Value("k") != 2 || ctx.UserValue("x") != nil {
			t.Error("user values")
		}
		ctx.Redirect("/elsewhere", StatusSeeOther)
	}})
	c := dial(t, ln)
	resp, _ := exchange(t, c, bufio.NewReader(c), get("/"))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/elsewhere" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
}

func TestRequestIDsAndRemoteAddr(t *testing.T) {
	ids := make(chan uint64, 4)
	addr := testTCPServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ids <- ctx.ID()
		ctx.Write(ctx.RemoteIP().To4())
	}})
	c, _ := net.Dial("tcp", addr)
	defer c.Close()
	br := bufio.NewReader(c)
	_, body := exchange(t, c, br, get("/"))
	exchange(t, c, br, get("/"))
	if body != string([]byte{127, 0, 0, 1}) {
		t.Fatalf("RemoteIP %q", body)
	}
	a, b := <-ids, <-ids
	if a == b || a>>32 != b>>32 || b&0xffffffff != a&0xffffffff+1 {
		t.Fatalf("IDs %x %x", a, b)
	}
}

func TestConnStateTransitions(t *testing.T) {
	states := make(chan ConnState, 16)
	s := &Server{Handler: echoHandler, ConnState: func(c net.Conn, st ConnState) { states <- st }}
	ln := testServer(t, s)
	c := dial(t, ln)
	br := bufio.NewReader(c)
	exchange(t, c, br, get("/"))
	exchange(t, c, br, get("/"))
	c.Close()
	want := []ConnState{StateNew, StateActive, StateIdle, StateActive, StateIdle, StateClosed}
	for i, w := range want {
		select {
		case st := <-states:
			if st != w {
				t.Fatalf("state %d: %v, want %v", i, st, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("state %d: none, want %v", i, w)
		}
	}
}

func TestSetCookie(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		var ck Cookie
		ck.SetKey("session")
		ck.SetValue("abc123")
		ck.SetPath("/")
		ck.SetHTTPOnly(true)
		ck.SetSameSite(CookieSameSiteStrict)
		ck.SetPartitioned(true)
		ctx.Response.Header.SetCookie(&ck)
		fmt.Fprintf(ctx, "%s", ctx.Request.Header.Cookie("theme"))
	}})
	c := dial(t, ln)
	resp, body := exchange(t, c, bufio.NewReader(c), "GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1; theme=dark\r\n\r\n")
	if body != "dark" {
		t.Fatalf("request cookie %q", body)
	}
	if got := resp.Header.Get("Set-Cookie"); got != "session=abc123; Path=/; Secure; HttpOnly; SameSite=Strict; Partitioned" {
		t.Fatalf("Set-Cookie %q", got)
	}
	if ck := resp.Cookies(); len(ck) != 1 || ck[0].Name != "session" || !ck[0].Secure || ck[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("net/http reads %+v", ck)
	}
}

func TestHijackHandlerPanic(t *testing.T) {
	s := &Server{Logger: discardLogger(), Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) == "/hijack" {
			ctx.Hijack(func(c net.Conn) { panic("boom") })
		}
	}}
	ln := testServer(t, s)
	c := dial(t, ln)
	br := bufio.NewReader(c)
	exchange(t, c, br, get("/hijack"))
	expectClosed(t, c, br)
	c2 := dial(t, ln)
	if resp, _ := exchange(t, c2, bufio.NewReader(c2), get("/")); resp.StatusCode != 200 {
		t.Fatal("server down after a hijack handler panic")
	}
	waitFor(t, "the hijack count to drop", func() bool { return s.Stats().HijackedConns == 0 })
}

// TestErrorKeepsHeaders: Error replaces the body and status, not the
// header fields middleware set before.
func TestErrorKeepsHeaders(t *testing.T) {
	ln := testServer(t, &Server{Handler: func(ctx *RequestCtx) {
		ctx.Response.Header.Set("Vary", "Accept-Encoding")
		ctx.Response.Header.SetContentLength(999)
		ctx.WriteString("partial")
		ctx.Error("nope", StatusForbidden)
	}})
	c := dial(t, ln)
	resp, body := exchange(t, c, bufio.NewReader(c), get("/"))
	if resp.StatusCode != 403 || body != "nope" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
	}
}

// TestWatchOnce: registering a ctx twice (the hijack, then Done) leaves
// no entry behind once it is released, which would cancel the ctx after
// it went back to the pool.
func TestWatchOnce(t *testing.T) {
	sc := &ServerConn{srv: &Server{}}
	ctx := sc.AcquireCtx(nil)
	sc.watch(ctx)
	ctx.Done()
	sc.ReleaseCtx(ctx)
	if len(sc.watched) != 0 {
		t.Fatalf("%d stale entries", len(sc.watched))
	}
}

// TestDoneTCPCases covers the socket watcher of Done over TCP: a client
// that half-closes after pipelining another request gets both answers,
// and the first request is not cancelled; a TLS client that closes cancels; watching one request after
// another on a keep-alive connection keeps working.
func TestDoneTCPCases(t *testing.T) {
	var errs chan error
	handler := func(ctx *RequestCtx) {
		done := ctx.Done()
		if string(ctx.Path()) == "/wait" {
			select {
			case <-done:
				errs <- ctx.Err()
				return
			case <-time.After(300 * time.Millisecond):
			}
		}
		errs <- ctx.Err()
		ctx.Write(ctx.Path())
	}

	t.Run("pipelined-half-close", func(t *testing.T) {
		errs = make(chan error, 4)
		addr := testTCPServer(t, &Server{Handler: handler})
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, get("/wait")+get("/second"))
		c.(*net.TCPConn).CloseWrite()
		br := bufio.NewReader(c)
		for _, want := range []string{"/wait", "/second"} {
			if _, body := exchange(t, c, br, ""); body != want {
				t.Fatalf("got %q, want %q", body, want)
			}
		}
		// The client's half-close is seen once nothing it sent is left:
		// the last request may be cancelled (as net/http does), the
		// first must not be.
		if err := <-errs; err != nil {
			t.Fatalf("/wait: Err() = %v", err)
		}
	})

	t.Run("keep-alive", func(t *testing.T) {
		errs = make(chan error, 4)
		addr := testTCPServer(t, &Server{Handler: handler})
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		for i := 0; i < 3; i++ {
			if _, body := exchange(t, c, br, get("/quick")); body != "/quick" {
				t.Fatalf("request %d: %q", i, body)
			}
			if err := <-errs; err != nil {
				t.Fatalf("request %d: Err() = %v", i, err)
			}
		}
		io.WriteString(c, get("/wait"))
		time.Sleep(50 * time.Millisecond)
		c.Close()
		if err := <-errs; !errors.Is(err, ErrClientGone) {
			t.Fatalf("after close: Err() = %v", err)
		}
	})

	t.Run("tls", func(t *testing.T) {
		errs = make(chan error, 4)
		cert := testCert(t)
		s := &Server{Handler: handler, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go s.ServeTLS(ln, "", "")
		defer s.Close()
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, get("/wait"))
		time.Sleep(50 * time.Millisecond)
		c.Close()
		if err := <-errs; !errors.Is(err, ErrClientGone) {
			t.Fatalf("Err() = %v", err)
		}
	})
}

// TestAfterFuncPanicIsRecovered: a function registered with AfterFunc
// runs in its own goroutine; its panic is logged through Server.Logger
// and ends there, not the process.
func TestAfterFuncPanicIsRecovered(t *testing.T) {
	var logged testutil.Buffer
	ran := make(chan struct{})
	s := &Server{Logger: slog.New(slog.NewTextHandler(&logged, nil)), Handler: func(ctx *RequestCtx) {
		ctx.AfterFunc(func() {
			defer close(ran)
			panic("after func")
		})
		ctx.Cancel(context.Canceled)
	}}
	c := dial(t, testServer(t, s))
	resp, _ := exchange(t, c, bufio.NewReader(c), get("/"))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	<-ran
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logged.String(), "AfterFunc panic") {
		if time.Now().After(deadline) {
			t.Fatalf("panic not logged: %q", logged.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAfterFuncOutlivesHandler: a callback that Cancel started while the
// handler ran still sees the request's context (Err, Value) after the
// handler returned: the connection's next request waits for it, and a
// derived context (context.WithCancel, which registers through
// AfterFunc) is cancelled with the request's reason.
func TestAfterFuncOutlivesHandler(t *testing.T) {
	type seen struct {
		err   error
		value any
		child error
	}
	got := make(chan seen, 1)
	s := &Server{Handler: func(ctx *RequestCtx) {
		if string(ctx.Path()) != "/cancel" {
			ctx.WriteString("next")
			return
		}
		child, cancel := context.WithCancel(ctx)
		_ = cancel
		ctx.SetUserValue("k", "v")
		ctx.AfterFunc(func() {
			time.Sleep(50 * time.Millisecond) // the handler has returned
			<-child.Done()
			got <- seen{ctx.Err(), ctx.Value("k"), child.Err()}
		})
		ctx.Cancel(context.Canceled)
	}}
	c := dial(t, testServer(t, s))
	br := bufio.NewReader(c)
	exchange(t, c, br, get("/cancel"))
	if _, body := exchange(t, c, br, get("/next")); body != "next" {
		t.Fatalf("next request: %q", body)
	}
	g := <-got
	if !errors.Is(g.err, context.Canceled) || g.value != "v" || !errors.Is(g.child, context.Canceled) {
		t.Fatalf("callback saw err %v, value %v, child %v", g.err, g.value, g.child)
	}
}

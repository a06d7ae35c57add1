package volt

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHeaderTimeoutSlowloris: a client sending one header byte at a time,
// slowly, is cut off at HeaderTimeout with 408.
func TestHeaderTimeoutSlowloris(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, HeaderTimeout: 300 * time.Millisecond})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	start := time.Now()
	head := "GET / HTTP/1.1\r\nHost: h\r\nX-Slow: " + strings.Repeat("a", 100)
	stop := make(chan struct{})
	go func() {
		for i := 0; i < len(head); i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte{head[i]}); err != nil {
				return
			}
		}
	}()
	defer close(stop)
	resp, _ := exchange(t, c, br, "")
	elapsed := time.Since(start)
	if resp.StatusCode != 408 {
		t.Fatalf("status %d, want 408", resp.StatusCode)
	}
	if elapsed < 250*time.Millisecond || elapsed > 2*time.Second {
		t.Fatalf("cut off after %v, want about 300ms", elapsed)
	}
	expectClosed(t, c, br)
}

// TestHeaderTimeoutFirstRequest: a connection that sends nothing is closed
// at HeaderTimeout, without a response.
func TestHeaderTimeoutSilentConn(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, HeaderTimeout: 100 * time.Millisecond, IdleTimeout: time.Hour})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	start := time.Now()
	expectClosed(t, c, br)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("closed after %v", d)
	}
}

func TestIdleTimeout(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, IdleTimeout: 150 * time.Millisecond})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	exchange(t, c, br, get("/"))
	start := time.Now()
	expectClosed(t, c, br)
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Fatalf("idle connection closed after %v, want about 150ms", d)
	}
}

// TestMinBodyRate: a body trickled below MinBodyRate is cut off; one sent at
// speed passes.
func TestMinBodyRate(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, MinBodyRate: 1000})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n")
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func(c net.Conn) { // its own c: the test dials another below
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := c.Write([]byte("ab")); err != nil {
				return
			}
		}
	}(c)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if code := statusOrClose(br); code != 408 && code != 0 {
		t.Fatalf("status %d, want 408 or a close", code)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("trickled body not cut off (after %v)", d)
	}
	expectClosed(t, c, br)

	c = dial(t, ln)
	br = bufio.NewReader(c)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n")
	go func() {
		for i := 0; i < 5; i++ {
			io.WriteString(c, strings.Repeat("x", 1000))
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if resp, body := exchange(t, c, br, ""); resp.StatusCode != 200 || !strings.HasSuffix(body, strings.Repeat("x", 5000)) {
		t.Fatalf("fast body: %d, %d bytes", resp.StatusCode, len(body))
	}
}

// statusOrClose reads the next response, if the server sent one before
// closing, and returns its status (0 if none).
func statusOrClose(br *bufio.Reader) int {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestReadTimeoutBody(t *testing.T) {
	ln := testServer(t, &Server{Handler: echoHandler, ReadTimeout: 200 * time.Millisecond})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
	start := time.Now()
	if code := statusOrClose(br); code != 408 && code != 0 {
		t.Fatalf("status %d, want 408 or a close", code)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("stalled body not cut off at ReadTimeout (%v)", d)
	}
	expectClosed(t, c, br)
}

func TestWriteTimeout(t *testing.T) {
	big := strings.Repeat("x", 64<<20)
	s := &Server{WriteTimeout: 200 * time.Millisecond, Handler: func(ctx *RequestCtx) {
		ctx.WriteString(big)
	}}
	addr := testTCPServer(t, s)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, get("/"))
	// The client does not read: the server's write must time out and the
	// server must close the connection.
	waitFor(t, "the request to start", func() bool { return s.Stats().Requests == 1 })
	start := time.Now()
	waitFor(t, "the server to close the connection", func() bool { return s.Stats().OpenConns == 0 })
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("closed after %v", d)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	release := make(chan struct{})
	s := &Server{Concurrency: 1, Handler: func(ctx *RequestCtx) { <-release }}
	ln := testServer(t, s)
	c1 := dial(t, ln)
	io.WriteString(c1, get("/"))
	waitFor(t, "the first request to run", func() bool { return s.Stats().RequestsInFlight == 1 })
	c2 := dial(t, ln)
	br2 := bufio.NewReader(c2)
	resp, _ := exchange(t, c2, br2, "")
	if resp.StatusCode != 503 {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	expectClosed(t, c2, br2)
	if s.Stats().RejectedConns != 1 {
		t.Fatalf("rejected %d", s.Stats().RejectedConns)
	}
	close(release)
}

func TestMaxConnsPerIP(t *testing.T) {
	s := &Server{MaxConnsPerIP: 2, Handler: echoHandler}
	addr := testTCPServer(t, s)
	var conns []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	waitFor(t, "two open connections", func() bool { return s.Stats().OpenConns == 2 })
	c3, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	br := bufio.NewReader(c3)
	_ = c3.SetDeadline(time.Now().Add(5 * time.Second))
	resp, _ := exchange(t, c3, br, "")
	if resp.StatusCode != 429 {
		t.Fatalf("status %d, want 429", resp.StatusCode)
	}
	// Closing one admits a new one.
	conns[0].Close()
	waitFor(t, "the close to be noticed", func() bool { return s.Stats().OpenConns == 1 })
	c4, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c4.Close()
	_ = c4.SetDeadline(time.Now().Add(5 * time.Second))
	if resp, _ := exchange(t, c4, bufio.NewReader(c4), get("/")); resp.StatusCode != 200 {
		t.Fatalf("status %d after a slot freed", resp.StatusCode)
	}
}

func TestListenAndServeUNIX(t *testing.T) {
	path := t.TempDir() + "/volt.sock"
	s := &Server{Handler: echoHandler}
	errc := make(chan error, 1)
	go func() { errc <- s.ListenAndServeUNIX(path, 0o600) }()
	var c net.Conn
	waitFor(t, "the socket", func() bool {
		var err error
		c, err = net.Dial("unix", path)
		return err == nil
	})
	defer c.Close()
	if resp, body := exchange(t, c, bufio.NewReader(c), get("/unix")); resp.StatusCode != 200 || !strings.HasPrefix(body, "GET /unix") {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
	s.Close()
	if err := <-errc; err != ErrServerClosed {
		t.Fatalf("ListenAndServeUNIX returned %v", err)
	}
}

// TestNegativeTimeoutsDisable: negative HeaderTimeout and IdleTimeout mean
// no limit, where zero means the defaults.
func TestNegativeTimeoutsDisable(t *testing.T) {
	s := &Server{HeaderTimeout: -1, IdleTimeout: -1}
	if s.headerTimeout() != 0 || s.idleTimeout() != 0 {
		t.Fatalf("negative: %v %v", s.headerTimeout(), s.idleTimeout())
	}
	s = &Server{}
	if s.headerTimeout() != DefaultHeaderTimeout || s.idleTimeout() != DefaultIdleTimeout {
		t.Fatalf("zero: %v %v", s.headerTimeout(), s.idleTimeout())
	}
	s = &Server{ReadTimeout: 3 * time.Second}
	if s.headerTimeout() != 3*time.Second || s.idleTimeout() != 3*time.Second {
		t.Fatalf("from ReadTimeout: %v %v", s.headerTimeout(), s.idleTimeout())
	}
	ln := testServer(t, &Server{Handler: echoHandler, HeaderTimeout: -1, IdleTimeout: -1})
	c := dial(t, ln)
	br := bufio.NewReader(c)
	exchange(t, c, br, get("/"))
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := br.ReadByte(); err == nil || !err.(net.Error).Timeout() {
		t.Fatalf("idle connection closed without a limit: %v", err)
	}
}

// TestBodyIdleTimeout: a request body that stops arriving for longer than
// BodyIdleTimeout is cut off (408 for a buffered body, a timeout error for a
// streamed one) and the connection closes; a slow body whose bytes keep
// coming within the timeout is not.
func TestBodyIdleTimeout(t *testing.T) {
	const idle = 200 * time.Millisecond
	for _, stream := range []bool{false, true} {
		ln := testServer(t, &Server{BodyIdleTimeout: idle, StreamRequestBody: stream, Handler: func(ctx *RequestCtx) {
			b, err := io.ReadAll(ctx.Request.BodyStream())
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				ctx.Error("body timeout", StatusRequestTimeout)
				return
			}
			fmt.Fprintf(ctx, "%d", len(b))
		}})
		for _, stalled := range []string{
			"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc",
			"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
		} {
			c := dial(t, ln)
			br := bufio.NewReader(c)
			io.WriteString(c, stalled)
			start := time.Now()
			if code := statusOrClose(br); code != StatusRequestTimeout {
				t.Fatalf("stream=%v: status %d, want 408", stream, code)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Fatalf("stream=%v: stalled body cut off after %v", stream, d)
			}
			expectClosed(t, c, br)
		}
		// Slow but steady: 10 bytes, one every idle/4, over 2.5 idle periods.
		c := dial(t, ln)
		br := bufio.NewReader(c)
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n")
		go func() {
			for i := 0; i < 10; i++ {
				time.Sleep(idle / 4)
				if _, err := io.WriteString(c, "x"); err != nil {
					return
				}
			}
		}()
		if resp, body := exchange(t, c, br, ""); resp.StatusCode != 200 || body != "10" {
			t.Fatalf("stream=%v: steady body: %d %q", stream, resp.StatusCode, body)
		}
	}
}

// TestDefaultReadWaits: every wait of the read side has a deadline by
// default.
func TestDefaultReadWaits(t *testing.T) {
	var s Server
	if d := s.headerTimeout(); d != DefaultHeaderTimeout {
		t.Errorf("header timeout %v", d)
	}
	if d := s.idleTimeout(); d != DefaultIdleTimeout {
		t.Errorf("idle timeout %v", d)
	}
	if d := s.bodyIdleTimeout(); DefaultBodyIdleTimeout != 60*time.Second || d != DefaultBodyIdleTimeout {
		t.Errorf("body idle timeout %v", d)
	}
	s.BodyIdleTimeout = -1
	if d := s.bodyIdleTimeout(); d != 0 {
		t.Errorf("negative body idle timeout gives %v, want none", d)
	}
}

// TestTooLargeBodyAnswerSurvivesClose: a client that sends a too-large
// body at full speed still reads the 413 answer: the server drains what it
// sends (up to 256 KiB, for up to a second) before closing, so that the
// connection ends with a FIN rather than a reset.
func TestTooLargeBodyAnswerSurvivesClose(t *testing.T) {
	addr := testTCPServer(t, &Server{MaxRequestBodySize: 1024, Handler: echoHandler})
	for _, head := range []string{
		"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 200000\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n30d40\r\n",
	} {
		for i := 0; i < 5; i++ {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			done := make(chan struct{})
			var werr error
			go func() {
				defer close(done)
				// The body in pieces over about 100 ms, as a client
				// uploading from a slower source does.
				if _, werr = io.WriteString(c, head); werr != nil {
					return
				}
				for i := 0; i < 20 && werr == nil; i++ {
					time.Sleep(5 * time.Millisecond)
					_, werr = io.WriteString(c, strings.Repeat("z", 10000))
				}
			}()
			// Like many clients, read only once the body is sent (or the
			// send is stuck).
			select {
			case <-done:
			case <-time.After(time.Second):
			}
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("%q: reading the answer: %v", head, err)
			}
			<-done
			if werr != nil {
				t.Fatalf("%q: the server reset the connection while the body was sent: %v", head, werr)
			}
			if resp.StatusCode != StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", resp.StatusCode)
			}
			io.Copy(io.Discard, resp.Body)
			// The server read what was sent before closing: the client
			// sees a clean end (FIN), not a reset that would have
			// destroyed an answer it had not read yet.
			if _, err := br.ReadByte(); err != io.EOF {
				t.Fatalf("%q: after the answer: %v, want EOF", head, err)
			}
			c.Close()
			<-done
		}
	}
}

// TestMaxRequestArgs: the query string and the form body of a request are
// each parsed up to Server.MaxRequestArgs pairs (DefaultMaxRequestArgs if
// zero, none if negative), and ParseErr reports a cut.
func TestMaxRequestArgs(t *testing.T) {
	many := strings.Repeat("a&", 2*DefaultMaxRequestArgs)
	for _, tc := range []struct {
		max  int
		want int
	}{
		{0, DefaultMaxRequestArgs},
		{10, 10},
		{-1, 2 * DefaultMaxRequestArgs},
	} {
		ln := testServer(t, &Server{MaxRequestArgs: tc.max, Handler: func(ctx *RequestCtx) {
			q, p := ctx.QueryArgs(), ctx.PostArgs()
			fmt.Fprintf(ctx, "%d %v %d %v", q.Len(), q.ParseErr(), p.Len(), p.ParseErr())
		}})
		c := dial(t, ln)
		br := bufio.NewReader(c)
		_, body := exchange(t, c, br, "POST /?"+many+" HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Content-Length: "+fmt.Sprint(len(many))+"\r\n\r\n"+many)
		errText := "<nil>"
		if tc.want < 2*DefaultMaxRequestArgs {
			errText = ErrTooManyArgs.Error()
		}
		if want := fmt.Sprintf("%d %s %d %s", tc.want, errText, tc.want, errText); body != want {
			t.Fatalf("MaxRequestArgs %d: %q, want %q", tc.max, body, want)
		}
	}
}

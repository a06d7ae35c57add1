package adaptor

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// echoHijack hijacks the connection, answers with head and echoes lines
// until "quit". With r.URL.Path "/later", it does so from a goroutine
// after ServeHTTP returned.
func echoHijack(head string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		run := func() {
			defer conn.Close()
			if _, err := brw.WriteString(head); err != nil {
				return
			}
			if err := brw.Flush(); err != nil {
				return
			}
			for {
				line, err := brw.ReadString('\n')
				if err != nil || line == "quit\n" {
					return
				}
				brw.WriteString(line)
				brw.Flush()
			}
		}
		if r.URL.Path == "/later" {
			go run()
			return
		}
		run()
	}
}

// dialRaw sends req (and extra bytes in the same write) and returns the
// connection and a reader of it.
func dialRaw(t *testing.T, url, req string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

// readHead reads a response head.
func readHead(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var sb strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("head %q: %v", sb.String(), err)
		}
		sb.WriteString(line)
		if line == "\r\n" {
			return sb.String()
		}
	}
}

func TestNewHandlerHijackUpgrade(t *testing.T) {
	checkGoroutines(t)
	head := "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n"
	url, _ := serveVolt(t, NewHandler(echoHijack(head)), peer{})
	for _, path := range []string{"/now", "/later"} {
		t.Run(path, func(t *testing.T) {
			// "early\n" comes in the same write as the request: volt reads it
			// ahead, and the hijacked connection must return it first.
			c, br := dialRaw(t, url, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly\n")
			got := readHead(t, br)
			for _, want := range []string{"HTTP/1.1 101 Switching Protocols\r\n", "Upgrade: echo\r\n", "Connection: Upgrade\r\n"} {
				if !strings.Contains(got, want) {
					t.Errorf("head lacks %q:\n%s", want, got)
				}
			}
			io.WriteString(c, "hello\n")
			for _, want := range []string{"early\n", "hello\n"} {
				if line, err := br.ReadString('\n'); line != want {
					t.Fatalf("echo %q, %v; want %q", line, err, want)
				}
			}
			io.WriteString(c, "quit\n")
			if _, err := br.ReadByte(); err != io.EOF {
				t.Fatalf("after quit: %v, want EOF", err)
			}
		})
	}
}

func TestNewHandlerHijackConnect(t *testing.T) {
	checkGoroutines(t)
	h := func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect || r.URL.Host != "example.com:443" || r.Host != "example.com:443" {
			http.Error(w, "bad CONNECT "+r.URL.String(), 400)
			return
		}
		echoHijack("HTTP/1.1 200 Connection established\r\n\r\n")(w, r)
	}
	url, _ := serveVolt(t, NewHandlerFunc(h), peer{})
	c, br := dialRaw(t, url, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
	got := readHead(t, br)
	// volt writes its own reason phrase.
	if !strings.HasPrefix(got, "HTTP/1.1 200 ") ||
		strings.Contains(got, "Content-Length") || strings.Contains(got, "Transfer-Encoding") {
		t.Fatalf("head:\n%s", got)
	}
	io.WriteString(c, "ping\n")
	if line, err := br.ReadString('\n'); line != "ping\n" {
		t.Fatalf("echo %q, %v", line, err)
	}
}

// TestNewHandlerHijackBadHead checks that a hijacked connection whose
// handler writes a head volt cannot send as a hijack (a 200 to a GET) gets
// an error, and the client a 500 and the end of the connection.
func TestNewHandlerHijackBadHead(t *testing.T) {
	checkGoroutines(t)
	werr := make(chan error, 1)
	h := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			werr <- err
			return
		}
		defer conn.Close()
		_, err = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
		werr <- err
	}
	url, _ := serveVolt(t, NewHandlerFunc(h), peer{})
	_, br := dialRaw(t, url, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	got := readHead(t, br)
	if !strings.HasPrefix(got, "HTTP/1.1 500 ") || !strings.Contains(got, "Connection: close\r\n") {
		t.Fatalf("head:\n%s", got)
	}
	if err := <-werr; err != ErrHijackHead {
		t.Fatalf("write error %v, want ErrHijackHead", err)
	}
}

// TestNewHandlerHijackPlainRequest checks that a request that does not
// switch protocols cannot be hijacked, and is answered normally.
func TestNewHandlerHijackPlainRequest(t *testing.T) {
	h := func(w http.ResponseWriter, r *http.Request) {
		_, _, err := w.(http.Hijacker).Hijack()
		io.WriteString(w, err.Error())
	}
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			_, body, _ := get(t, h, p)
			if string(body) != ErrHijackUnsupported.Error() {
				t.Fatalf("got %q", body)
			}
		})
	}
}

// checkGoroutines fails the test if, once everything registered after it
// was cleaned up (the server closed), goroutines running this package's
// code (a ServeHTTP goroutine, a hijacked connection's) are left over.
// The server's own idle workers are not counted.
func checkGoroutines(t *testing.T) {
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			left := adaptorGoroutines()
			if len(left) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("goroutines left over:\n%s", strings.Join(left, "\n\n"))
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// adaptorGoroutines returns the stacks of the goroutines in this
// package's code, but the test's own.
func adaptorGoroutines() []string {
	buf := make([]byte, 1<<20)
	var left []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "volt/adaptor.") && !strings.Contains(g, "testing.tRunner") &&
			!strings.Contains(g, "testing.(*common).Cleanup") {
			left = append(left, g)
		}
	}
	return left
}

package middleware

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// newCtx returns a RequestCtx for method and target, as the server would
// hand it to a handler (without a connection: RemoteIP is 0.0.0.0).
func newCtx(method, target string, header ...string) *volt.RequestCtx {
	ctx := new(volt.RequestCtx)
	ctx.Request.Header.SetMethod(method)
	ctx.Request.Header.SetHost("example.com")
	ctx.Request.SetRequestURI(target)
	for i := 0; i+1 < len(header); i += 2 {
		ctx.Request.Header.Add(header[i], header[i+1])
	}
	return ctx
}

func ok(ctx *volt.RequestCtx) { ctx.WriteString("ok") }

// serveTCP serves h on 127.0.0.1 until the test ends and returns the
// address.
func serveTCP(t testing.TB, h volt.RequestHandler) string {
	t.Helper()
	return serveTCPServer(t, &volt.Server{Handler: h})
}

// serveTCPServer serves srv on 127.0.0.1 until the test ends and returns
// the address.
func serveTCPServer(t testing.TB, srv *volt.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if srv.Logger == nil {
		srv.Logger = discardLogger()
	}
	done := make(chan struct{})
	go func() { _ = srv.Serve(ln); close(done) }()
	t.Cleanup(func() { _ = srv.Close(); <-done })
	return ln.Addr().String()
}

// client is one connection to a test server, from a chosen loopback
// address.
type client struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

// dialFrom connects to addr from the loopback address src ("127.0.0.2").
func dialFrom(t testing.TB, addr, src string) *client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return &client{t, c, bufio.NewReader(c)}
}

// do sends a request (a request line and header lines, without the final
// CRLF) and reads the response.
func (c *client) do(method, target string, header ...string) (*http.Response, string) {
	c.t.Helper()
	var b strings.Builder
	b.WriteString(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n")
	for i := 0; i+1 < len(header); i += 2 {
		b.WriteString(header[i] + ": " + header[i+1] + "\r\n")
	}
	b.WriteString("\r\n")
	return c.raw(b.String(), method)
}

func (c *client) raw(req, method string) (*http.Response, string) {
	c.t.Helper()
	if _, err := io.WriteString(c.c, req); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading body: %v", err)
	}
	return resp, string(body)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

package proxyproto_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/proxyproto"
)

// serve runs a volt.Server whose handler answers with ctx.RemoteAddr()
// behind a PROXY protocol listener, and returns its address.
func serve(t *testing.T, cfg proxyproto.Config, srv *volt.Server) string {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := proxyproto.NewListener(raw, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if srv.Handler == nil {
		srv.Handler = func(ctx *volt.RequestCtx) {
			ctx.SetBodyString(ctx.RemoteAddr().String() + " " + ctx.LocalAddr().String())
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	})
	return raw.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader) (int, string) {
	t.Helper()
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestServerRemoteAddr: behind the listener, ctx.RemoteAddr reports the
// header's source, on every request of a keep-alive connection,
// including after it was idle long enough to be parked.
func TestServerRemoteAddr(t *testing.T) {
	for _, hdr := range []string{
		"PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n",
		"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\xcb\x00\x71\x07\xc0\x00\x02\x01\x10\xe1\x00\x50",
	} {
		addr := serve(t, proxyproto.Config{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
			&volt.Server{MaxConnsPerIP: 1})
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, hdr)
		br := bufio.NewReader(c)
		for i := range 3 {
			code, body := roundTrip(t, c, br)
			if code != 200 || body != "203.0.113.7:4321 192.0.2.1:80" {
				t.Fatalf("request %d: %d %q", i, code, body)
			}
			time.Sleep(50 * time.Millisecond) // long enough to park the idle connection
		}
		// MaxConnsPerIP counts the header's address: a second client
		// from another address is served.
		c2, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		io.WriteString(c2, "PROXY TCP4 203.0.113.8 192.0.2.1 4321 80\r\n")
		if code, body := roundTrip(t, c2, bufio.NewReader(c2)); code != 200 || !strings.HasPrefix(body, "203.0.113.8:4321") {
			t.Fatalf("second client: %d %q", code, body)
		}
	}
}

// TestServerUntrustedHeader: a PROXY header from an untrusted peer is
// plain data, which the HTTP parser rejects with 400.
func TestServerUntrustedHeader(t *testing.T) {
	addr := serve(t, proxyproto.Config{Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, &volt.Server{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "PROXY TCP4 203.0.113.7 192.0.2.1 4321 80\r\n")
	if code, _ := roundTrip(t, c, bufio.NewReader(c)); code != 400 {
		t.Fatalf("status %d, want 400", code)
	}
	// Without a header the untrusted client is served with its own
	// address.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if code, body := roundTrip(t, c2, bufio.NewReader(c2)); code != 200 || !strings.HasPrefix(body, c2.LocalAddr().String()+" ") {
		t.Fatalf("%d %q", code, body)
	}
}

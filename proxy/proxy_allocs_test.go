//go:build !race

package proxy

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/volthttp/volt"
)

// smallGET is a browser-like GET of a small resource.
const smallGET = "GET /hello?page=2 HTTP/1.1\r\nHost: app.example\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n" +
	"Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\nCookie: session=abc123\r\n\r\n"

// helloUpstream answers every request with a small body.
func helloUpstream(ctx *volt.RequestCtx) {
	ctx.SetContentType("text/plain")
	ctx.WriteString("Hello, World!")
}

// proxyConn starts an upstream, a proxy in front of it, and returns a
// connection to the proxy that served one request already, with the
// length of its response (the same for every response).
func proxyConn(t testing.TB, upstreams int) (net.Conn, int) {
	t.Helper()
	var cfg Config
	for range upstreams {
		cfg.Upstreams = append(cfg.Upstreams, "http://"+serve(t, &volt.Server{Handler: helloUpstream}))
	}
	addr, _, _ := front(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	buf := make([]byte, 4096)
	if _, err := io.WriteString(c, smallGET); err != nil {
		t.Fatal(err)
	}
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(buf[:n], []byte("Hello, World!")) {
		t.Fatalf("response %q", buf[:n])
	}
	return c, n
}

// proxyAllocBudget is the most allocations per proxied small GET in
// steady state, counted over the whole process (client, proxy and upstream
// servers; the servers allocate nothing): the upstream response's body
// stream, which the client makes per response, and the errors.As of
// volt's wrapTimeout when that stream reports io.EOF.
const proxyAllocBudget = 2

func TestProxyAllocs(t *testing.T) {
	t.Run("one upstream", func(t *testing.T) { testProxyAllocs(t, 1) })
	t.Run("balanced", func(t *testing.T) { testProxyAllocs(t, 2) })
}

func testProxyAllocs(t *testing.T, upstreams int) {
	c, respLen := proxyConn(t, upstreams)
	req := []byte(smallGET)
	buf := make([]byte, respLen)
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 200; i++ {
		roundTrip()
	}
	if allocs := testing.AllocsPerRun(2000, roundTrip); allocs > proxyAllocBudget {
		t.Fatalf("%v allocations per request, budget %d", allocs, proxyAllocBudget)
	} else {
		t.Logf("%v allocations per request", allocs)
	}
}

// BenchmarkProxy measures one small GET through the proxy and back, over
// loopback TCP, one request at a time.
func BenchmarkProxy(b *testing.B) {
	c, respLen := proxyConn(b, 1)
	req := []byte(smallGET)
	buf := make([]byte, respLen)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

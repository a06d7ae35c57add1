package proxy

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/testutil"
)

// serve runs s on a fresh 127.0.0.1 port until the test ends and returns
// its address.
func serve(t testing.TB, s *volt.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = s.Serve(ln)
		close(done)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		<-done
	})
	return ln.Addr().String()
}

// serveHTTP runs a net/http handler on a fresh 127.0.0.1 port until the
// test ends and returns its address.
func serveHTTP(t testing.TB, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &http.Server{Handler: h}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return ln.Addr().String()
}

// front starts a Proxy for cfg behind a volt server that streams request
// bodies, and returns the proxy's address and its log.
func front(t testing.TB, cfg Config) (string, *Proxy, *testutil.Buffer) {
	t.Helper()
	logs := &testutil.Buffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	addr := serve(t, &volt.Server{Handler: p.Handler, StreamRequestBody: true, MaxRequestBodySize: -1})
	return addr, p, logs
}

// roundTrip writes raw to addr and returns the response read with
// net/http's parser, its body read whole.
func roundTrip(t testing.TB, addr, raw string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// get sends a GET through the proxy with net/http's client.
func get(t testing.TB, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if strings.EqualFold(hdr[i], "Host") {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Add(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// echoHeaders is a volt handler that answers with the request head it
// received, one "Name: value" line per field.
func echoHeaders(ctx *volt.RequestCtx) {
	var b bytes.Buffer
	b.WriteString(string(ctx.Method()) + " " + string(ctx.Request.Header.RequestURI()) + "\n")
	for k, v := range ctx.Request.Header.All() {
		b.WriteString(string(k) + ": " + string(v) + "\n")
	}
	ctx.SetContentType("text/plain")
	ctx.Write(b.Bytes())
}

// headerLines returns the values of the "Name: value" lines called name
// in an echoHeaders answer.
func headerLines(body, name string) []string {
	var vals []string
	for _, line := range strings.Split(body, "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if ok && strings.EqualFold(k, name) {
			vals = append(vals, v)
		}
	}
	return vals
}

package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/volthttp/volt"
)

// RFC 9110 section 7.6.1: a proxy removes Connection, the fields it
// names, and the hop-by-hop fields, from requests.
func TestRFC9110Section7_6_1RequestHopByHop(t *testing.T) {
	up := serve(t, &volt.Server{Handler: echoHeaders})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	raw := "GET /x HTTP/1.1\r\nHost: example.com\r\n" +
		"Connection: keep-alive, X-Secret\r\nConnection: X-Other\r\n" +
		"X-Secret: 1\r\nX-Other: 2\r\nX-Kept: 3\r\n" +
		"Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n" +
		"TE: trailers, deflate\r\nUpgrade: foo\r\n" +
		"Proxy-Authorization: Basic Zm9vOmJhcg==\r\n\r\n"
	resp, body := roundTrip(t, addr, raw)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	for _, name := range []string{"Connection", "X-Secret", "X-Other", "Keep-Alive", "Proxy-Connection", "Upgrade", "Proxy-Authorization", "Transfer-Encoding"} {
		if v := headerLines(body, name); len(v) > 0 {
			t.Errorf("%s forwarded: %q", name, v)
		}
	}
	if v := headerLines(body, "X-Kept"); len(v) != 1 || v[0] != "3" {
		t.Errorf("X-Kept = %q", v)
	}
	if v := headerLines(body, "TE"); len(v) != 1 || v[0] != "trailers" {
		t.Errorf("TE = %q, want trailers alone", v)
	}
	if v := headerLines(body, "Host"); len(v) != 1 || v[0] != "example.com" {
		t.Errorf("Host = %q", v)
	}
	// TE without "trailers" is dropped.
	_, body = roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nTE: gzip\r\n\r\n")
	if v := headerLines(body, "TE"); len(v) != 0 {
		t.Errorf("TE gzip forwarded: %q", v)
	}
}

// RFC 9110 section 7.6.1, the other way: hop-by-hop fields of the
// upstream's response do not reach the client.
func TestRFC9110Section7_6_1ResponseHopByHop(t *testing.T) {
	up := serveHTTP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Connection", "X-Private")
		h.Set("X-Private", "secret")
		h.Set("Keep-Alive", "timeout=5")
		h.Set("Proxy-Connection", "keep-alive")
		h.Set("Proxy-Authenticate", `Basic realm="up"`)
		h.Set("Upgrade", "foo")
		h.Set("X-Public", "yes")
		w.Write([]byte("ok"))
	}))
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	for _, name := range []string{"X-Private", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Upgrade"} {
		if v := resp.Header.Get(name); v != "" {
			t.Errorf("%s forwarded: %q", name, v)
		}
	}
	if c := resp.Header.Get("Connection"); c != "" && !strings.EqualFold(c, "keep-alive") {
		t.Errorf("Connection = %q", c)
	}
	if resp.Header.Get("X-Public") != "yes" {
		t.Errorf("X-Public lost")
	}
}

// RFC 9110 section 7.6.3: the proxy adds itself to Via, in both
// directions, with the version the message was received with.
func TestRFC9110Section7_6_3Via(t *testing.T) {
	up := serve(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.Response.Header.Set("Via", "1.1 origin-cache")
		echoHeaders(ctx)
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}, Via: "edge"})
	resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nVia: 1.0 fred\r\n\r\n")
	if v := headerLines(body, "Via"); len(v) != 2 || v[0] != "1.0 fred" || v[1] != "1.1 edge" {
		t.Errorf("request Via = %q", v)
	}
	if v := resp.Header.Values("Via"); len(v) != 2 || v[0] != "1.1 origin-cache" || v[1] != "1.1 edge" {
		t.Errorf("response Via = %q", v)
	}
	_, body = roundTrip(t, addr, "GET / HTTP/1.0\r\nHost: a\r\n\r\n")
	if v := headerLines(body, "Via"); len(v) != 1 || v[0] != "1.0 edge" {
		t.Errorf("HTTP/1.0 request Via = %q", v)
	}
}

// Responses without a body (HEAD, 204, 304) pass through with their
// framing fields, and the pooled state is reused cleanly after each kind
// (a request of each kind, then a GET with a body, on one connection).
func TestRFC9110Section6_4_1BodylessResponses(t *testing.T) {
	up := serve(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/204":
			ctx.SetStatusCode(204)
		case "/304":
			ctx.Response.Header.Set("ETag", `"v1"`)
			ctx.SetStatusCode(304)
		default:
			ctx.WriteString("twelve bytes")
		}
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	do := func(method, path string) (*http.Response, string) {
		t.Helper()
		io.WriteString(c, method+" "+path+" HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for i := 0; i < 2; i++ {
		if resp, body := do("HEAD", "/x"); resp.StatusCode != 200 || resp.ContentLength != 12 || body != "" {
			t.Errorf("HEAD: %d %d %q", resp.StatusCode, resp.ContentLength, body)
		}
		if resp, body := do("GET", "/x"); body != "twelve bytes" {
			t.Errorf("GET after HEAD: %d %q", resp.StatusCode, body)
		}
		if resp, body := do("GET", "/204"); resp.StatusCode != 204 || body != "" || resp.Header.Get("Content-Length") != "" {
			t.Errorf("204: %d %q %v", resp.StatusCode, body, resp.Header)
		}
		if resp, body := do("GET", "/304"); resp.StatusCode != 304 || body != "" || resp.Header.Get("ETag") != `"v1"` {
			t.Errorf("304: %d %q %v", resp.StatusCode, body, resp.Header)
		}
		if _, body := do("GET", "/x"); body != "twelve bytes" {
			t.Errorf("GET after 304: %q", body)
		}
	}
}

// FuzzStripRequest: after stripRequest no hop-by-hop field is left, nor
// any field the Connection header named (Host apart), every other field
// stays, and TE is at most "trailers".
func FuzzStripRequest(f *testing.F) {
	f.Add("keep-alive, X-Secret", "X-Secret", "trailers, deflate")
	f.Add("Upgrade", "X-Other", "gzip")
	f.Add(", ,close,,Host", "Host", "")
	f.Add("x-a\tx-b", "X-A", "TRAILERS")
	f.Fuzz(func(t *testing.T, conn, named, te string) {
		var h volt.RequestHeader
		h.SetMethod("GET")
		h.SetRequestURI("/")
		h.Set("Host", "example.com")
		h.Set("Connection", conn)
		if validName(named) && !strings.EqualFold(named, "Host") && !strings.EqualFold(named, "X-Keep-Me") {
			h.Set(named, "v")
		}
		h.Set("TE", te)
		h.Set("Keep-Alive", "1")
		h.Set("X-Keep-Me", "yes")
		stripRequest(&h, nil, false)
		for _, name := range hopFields {
			if h.Has(name) {
				t.Fatalf("%s left", name)
			}
		}
		if h.Has("Upgrade") {
			t.Fatal("Upgrade left")
		}
		for rest := []byte(conn); len(rest) > 0; {
			var tok []byte
			tok, rest = nextToken(rest)
			if len(tok) > 0 && !strings.EqualFold(string(tok), "Host") && h.Has(string(tok)) {
				t.Fatalf("%q named by Connection left", tok)
			}
		}
		if v := h.Peek("TE"); v != nil && string(v) != "trailers" {
			t.Fatalf("TE %q", v)
		}
		if string(h.Host()) != "example.com" {
			t.Fatalf("Host %q", h.Host())
		}
		keepNamed := false
		for rest := []byte(conn); len(rest) > 0; {
			var tok []byte
			tok, rest = nextToken(rest)
			keepNamed = keepNamed || strings.EqualFold(string(tok), "X-Keep-Me")
		}
		if !keepNamed && string(h.Peek("X-Keep-Me")) != "yes" {
			t.Fatal("an end-to-end field was dropped")
		}
	})
}

// validName reports whether s is a field name the header may hold.
func validName(s string) bool { return isToken([]byte(s)) }

// A client's "Connection: close" closes its own connection, not the
// proxy's connection to the upstream, which serves the next request.
func TestConnectionCloseStaysOnItsHop(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	up := serve(t, &volt.Server{Handler: echoHeaders, ConnState: func(_ net.Conn, st volt.ConnState) {
		if st == volt.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}})
	addr, _, _ := front(t, Config{Upstreams: []string{"http://" + up}})
	for i := 0; i < 3; i++ {
		resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		if !resp.Close || len(headerLines(body, "Connection")) != 0 {
			t.Fatalf("close %v, upstream saw %q", resp.Close, headerLines(body, "Connection"))
		}
		roundTrip(t, addr, "GET / HTTP/1.0\r\nHost: a\r\n\r\n")
	}
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Errorf("%d upstream connections for 6 requests, want 1", conns)
	}
}

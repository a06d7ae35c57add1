package proxy

import (
	"net/http"
	"strings"
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

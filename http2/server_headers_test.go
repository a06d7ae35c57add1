package http2

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/volthttp/volt"
)

// TestRFC9113_8_3_Malformed checks that malformed request heads reset
// the stream with PROTOCOL_ERROR and never reach the handler.
func TestRFC9113_8_3_Malformed(t *testing.T) {
	cases := []struct {
		name string
		kv   []string
	}{
		{"missing :method", []string{":scheme", "http", ":path", "/", ":authority", "a"}},
		{"missing :scheme", []string{":method", "GET", ":path", "/", ":authority", "a"}},
		{"missing :path", []string{":method", "GET", ":scheme", "http", ":authority", "a"}},
		{"empty :path", []string{":method", "GET", ":scheme", "http", ":path", "", ":authority", "a"}},
		{"duplicate :path", reqFields("GET", "/", ":path", "/x")},
		{"duplicate :method", []string{":method", "GET", ":method", "GET", ":scheme", "http", ":path", "/"}},
		{"unknown pseudo", []string{":method", "GET", ":scheme", "http", ":path", "/", ":foo", "bar"}},
		{":status in request", []string{":method", "GET", ":scheme", "http", ":path", "/", ":status", "200"}},
		{"pseudo after regular", []string{":method", "GET", ":scheme", "http", "accept", "*/*", ":path", "/"}},
		{"uppercase name", reqFields("GET", "/", "Content-Type", "text/plain")},
		{"connection", reqFields("GET", "/", "connection", "close")},
		{"keep-alive", reqFields("GET", "/", "keep-alive", "timeout=5")},
		{"proxy-connection", reqFields("GET", "/", "proxy-connection", "keep-alive")},
		{"transfer-encoding", reqFields("GET", "/", "transfer-encoding", "chunked")},
		{"upgrade", reqFields("GET", "/", "upgrade", "websocket")},
		{"te gzip", reqFields("GET", "/", "te", "gzip")},
		{"leading space", reqFields("GET", "/", "x-a", " v")},
		{"trailing space", reqFields("GET", "/", "x-a", "v ")},
		{"trailing tab", reqFields("GET", "/", "x-a", "v\t")},
		{"NUL", reqFields("GET", "/", "x-a", "a\x00b")},
		{"CR", reqFields("GET", "/", "x-a", "a\rb")},
		{"LF", reqFields("GET", "/", "x-a", "a\nb")},
		{"host differs from :authority", reqFields("GET", "/", "host", "other.example")},
		{"CONNECT with :path", []string{":method", "CONNECT", ":authority", "a:443", ":path", "/"}},
		{"CONNECT without :authority", []string{":method", "CONNECT"}},
		{"path not absolute", reqFields("GET", "x")},
		{"* with GET", reqFields("GET", "*")},
	}
	var ran atomic.Int32
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ran.Add(1)
		ctx.SetBodyString("ran")
	}}, nil)
	rc := ts.dialRaw()
	id := uint32(1)
	for _, c := range cases {
		rc.request(id, true, c.kv...)
		r := rc.readResponses(id)[id]
		if !r.reset || r.rst != ErrCodeProtocol {
			t.Errorf("%s: got status %q reset %v %v, want RST_STREAM PROTOCOL_ERROR", c.name, r.status, r.reset, r.rst)
		}
		id += 2
	}
	// The connection is still usable, and no handler ran before.
	rc.request(id, true, reqFields("GET", "/")...)
	if r := rc.readResponses(id)[id]; r.status != "200" {
		t.Fatalf("valid request after the malformed ones: status %q", r.status)
	}
	if n := ran.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want 1 (the valid request)", n)
	}
}

// serveOne sends one request (kv) to a handler and returns the response.
func serveOne(t *testing.T, h volt.RequestHandler, kv ...string) *response {
	t.Helper()
	ts := newTestServer(t, &volt.Server{Handler: h}, nil)
	rc := ts.dialRaw()
	rc.request(1, true, kv...)
	return rc.readResponses(1)[1]
}

// TestRFC9113_8_5_Connect checks that CONNECT with only :authority is
// accepted, with the authority as the request target.
func TestRFC9113_8_5_Connect(t *testing.T) {
	var uri, method string
	r := serveOne(t, func(ctx *volt.RequestCtx) {
		uri = string(ctx.Request.Header.RequestURI())
		method = string(ctx.Method())
	}, ":method", "CONNECT", ":authority", "proxy.example:443")
	if r.reset || r.status != "200" {
		t.Fatalf("status %q reset %v", r.status, r.reset)
	}
	if uri != "proxy.example:443" || method != "CONNECT" {
		t.Fatalf("method %q uri %q", method, uri)
	}
}

// TestRFC9113_8_3_1_OptionsAsterisk checks that OPTIONS * is served.
func TestRFC9113_8_3_1_OptionsAsterisk(t *testing.T) {
	var uri string
	r := serveOne(t, func(ctx *volt.RequestCtx) {
		uri = string(ctx.Request.Header.RequestURI())
	}, reqFields("OPTIONS", "*")...)
	if r.reset || r.status != "200" || uri != "*" {
		t.Fatalf("status %q reset %v uri %q", r.status, r.reset, uri)
	}
}

// TestRFC9113_8_3_1_Authority checks that :authority becomes the Host,
// and that a Host equal to it is accepted.
func TestRFC9113_8_3_1_Authority(t *testing.T) {
	for _, extra := range [][]string{nil, {"host", "example.com"}} {
		var host string
		r := serveOne(t, func(ctx *volt.RequestCtx) { host = string(ctx.Host()) }, reqFields("GET", "/", extra...)...)
		if r.status != "200" || host != "example.com" {
			t.Fatalf("extra %q: status %q host %q", extra, r.status, host)
		}
	}
}

// TestRFC9113_8_2_3_CookieCrumbs checks that several cookie fields arrive
// as one, joined with "; ".
func TestRFC9113_8_2_3_CookieCrumbs(t *testing.T) {
	var joined, a, b, c string
	r := serveOne(t, func(ctx *volt.RequestCtx) {
		joined = string(ctx.Request.Header.Peek("Cookie"))
		a = string(ctx.Request.Header.Cookie("a"))
		b = string(ctx.Request.Header.Cookie("b"))
		c = string(ctx.Request.Header.Cookie("c"))
	}, reqFields("GET", "/", "cookie", "a=1", "accept", "*/*", "cookie", "b=2", "cookie", "c=3")...)
	if r.status != "200" {
		t.Fatalf("status %q", r.status)
	}
	if joined != "a=1; b=2; c=3" || a != "1" || b != "2" || c != "3" {
		t.Fatalf("cookie %q, a=%q b=%q c=%q", joined, a, b, c)
	}
}

// TestRFC9113_8_2_FieldNamesCanonical checks that the handler sees field
// names as HTTP/1.1 requests give them, and the protocol.
func TestRFC9113_8_2_FieldNamesCanonical(t *testing.T) {
	var ct, xf, proto string
	var isH2 bool
	var names []string
	r := serveOne(t, func(ctx *volt.RequestCtx) {
		ct = string(ctx.Request.Header.Peek("Content-Type"))
		xf = string(ctx.Request.Header.Peek("X-Forwarded-For"))
		proto = string(ctx.Request.Header.Protocol())
		isH2 = ctx.Request.Header.IsHTTP2()
		for k := range ctx.Request.Header.All() {
			names = append(names, string(k))
		}
	}, reqFields("GET", "/", "content-type", "text/plain", "x-forwarded-for", "10.0.0.1")...)
	if r.status != "200" {
		t.Fatalf("status %q", r.status)
	}
	if ct != "text/plain" || xf != "10.0.0.1" {
		t.Fatalf("Content-Type %q X-Forwarded-For %q", ct, xf)
	}
	joined := strings.Join(names, ",")
	if !strings.Contains(joined, "Content-Type") || !strings.Contains(joined, "X-Forwarded-For") {
		t.Fatalf("names %q, want canonical", joined)
	}
	if proto != "HTTP/2.0" || !isH2 {
		t.Fatalf("Protocol %q IsHTTP2 %v", proto, isH2)
	}
}

// TestRFC9113_8_3_2_ResponseMapping checks the response head on the wire.
func TestRFC9113_8_3_2_ResponseMapping(t *testing.T) {
	r := serveOne(t, func(ctx *volt.RequestCtx) {
		ctx.Response.Header.Set("X-Custom-Name", "v")
		ctx.Response.Header.Set("Connection", "keep-alive")
		ctx.Response.Header.Set("Keep-Alive", "timeout=5")
		ctx.Response.Header.Set("Upgrade", "h2c")
		ctx.Response.Header.Set("Transfer-Encoding", "chunked")
		ctx.SetBodyString("hello")
	}, reqFields("GET", "/")...)
	if r.status != "200" || string(r.body) != "hello" {
		t.Fatalf("status %q body %q", r.status, r.body)
	}
	for name := range r.header {
		if name != strings.ToLower(name) {
			t.Errorf("field name %q not lowercase", name)
		}
	}
	for _, name := range []string{"connection", "keep-alive", "upgrade", "transfer-encoding"} {
		if v, ok := r.header[name]; ok {
			t.Errorf("connection-specific %s: %q sent", name, v)
		}
	}
	if r.header["x-custom-name"] != "v" {
		t.Errorf("x-custom-name %q", r.header["x-custom-name"])
	}
	if r.header["content-length"] != "5" {
		t.Errorf("content-length %q, want 5", r.header["content-length"])
	}
	if r.header["server"] == "" || r.header["date"] == "" {
		t.Errorf("server %q date %q", r.header["server"], r.header["date"])
	}
}

// TestRFC9110_9_3_2_Head checks that HEAD gets the GET's head and no DATA.
func TestRFC9110_9_3_2_Head(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString(strings.Repeat("x", 1234))
	}}, nil)
	rc := ts.dialRaw()
	rc.request(1, true, reqFields("HEAD", "/")...)
	frames := rc.collectUntil(func(f *Frame) bool { return f.StreamID == 1 && f.Flags.Has(FlagEndStream) })
	r := &response{header: map[string]string{}}
	for _, f := range frames {
		if f.StreamID == 1 && f.Type == FrameData {
			t.Fatalf("DATA frame in a HEAD response (%d bytes)", len(f.Data))
		}
		rc.onFrame(f, r)
	}
	if r.status != "200" || r.header["content-length"] != "1234" {
		t.Fatalf("status %q content-length %q", r.status, r.header["content-length"])
	}
}

// TestRFC9110_15_NoBodyStatus checks that 204 and 304 carry no DATA.
func TestRFC9110_15_NoBodyStatus(t *testing.T) {
	for _, code := range []int{204, 304} {
		ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) {
			ctx.SetStatusCode(code)
			ctx.SetBodyString("should not be sent")
		}}, nil)
		rc := ts.dialRaw()
		rc.get(1, "/")
		frames := rc.collectUntil(func(f *Frame) bool { return f.StreamID == 1 && f.Flags.Has(FlagEndStream) })
		for _, f := range frames {
			if f.StreamID == 1 && f.Type == FrameData && len(f.Data) > 0 {
				t.Fatalf("%d: DATA %q", code, f.Data)
			}
		}
		r := &response{header: map[string]string{}}
		for _, f := range frames {
			rc.onFrame(f, r)
		}
		if r.status != itoa(code) {
			t.Fatalf("status %q, want %d", r.status, code)
		}
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestRFC9113_8_2_1_InvalidResponseValue checks that a header value with
// CR LF set by the handler gives a 500 instead of the response.
func TestRFC9113_8_2_1_InvalidResponseValue(t *testing.T) {
	r := serveOne(t, func(ctx *volt.RequestCtx) {
		ctx.Response.Header.Set("X-Bad", "a\r\nInjected: yes")
		ctx.SetBodyString("secret")
	}, reqFields("GET", "/")...)
	if r.status != "500" {
		t.Fatalf("status %q, want 500", r.status)
	}
	if _, ok := r.header["injected"]; ok || strings.Contains(string(r.body), "secret") {
		t.Fatalf("the invalid response went out: %v %q", r.header, r.body)
	}
	if _, ok := r.header["x-bad"]; ok {
		t.Fatalf("x-bad sent: %q", r.header["x-bad"])
	}
}

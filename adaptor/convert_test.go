package adaptor

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

// newCtx returns a RequestCtx as a server would hand it to a handler,
// without a connection.
func newCtx(method, target, body string, header ...string) *volt.RequestCtx {
	ctx := new(volt.RequestCtx)
	ctx.Request.Reset()
	ctx.Response.Reset()
	ctx.Request.Header.SetMethod(method)
	ctx.Request.Header.SetHost("example.com")
	ctx.Request.SetRequestURI(target)
	for i := 0; i+1 < len(header); i += 2 {
		ctx.Request.Header.Add(header[i], header[i+1])
	}
	if body != "" {
		ctx.Request.SetBodyString(body)
	}
	return ctx
}

func TestConvertRequest(t *testing.T) {
	for _, tc := range []struct {
		name, method, target string
		forServer            bool
		url, path, uri       string
	}{
		{"origin", "GET", "/a/b?x=1", true, "/a/b?x=1", "/a/b", "/a/b?x=1"},
		{"escaped", "GET", "/a%2Fb%20c?x=%41", true, "/a%2Fb%20c?x=%41", "/a/b c", "/a%2Fb%20c?x=%41"},
		{"double slash", "GET", "//evil/x", true, "//evil/x", "//evil/x", "//evil/x"},
		{"asterisk", "OPTIONS", "*", true, "*", "*", "*"},
		{"connect", "CONNECT", "example.com:443", true, "//example.com:443", "", "example.com:443"},
		{"client", "GET", "/a/b?x=1", false, "http://example.com/a/b?x=1", "/a/b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := newCtx(tc.method, tc.target, "body", "user-agent", "test", "X-Multi", "1", "X-Multi", "2", "weird_name", "w")
			var r http.Request
			if err := ConvertRequest(ctx, &r, tc.forServer); err != nil {
				t.Fatal(err)
			}
			if r.URL.String() != tc.url || r.URL.Path != tc.path || r.RequestURI != tc.uri {
				t.Errorf("URL %q path %q RequestURI %q", r.URL, r.URL.Path, r.RequestURI)
			}
			if r.Method != tc.method || r.Host != "example.com" || r.Proto != "HTTP/1.1" || r.Context() == nil {
				t.Errorf("method %q host %q proto %q", r.Method, r.Host, r.Proto)
			}
			if r.Header.Get("User-Agent") != "test" || len(r.Header["X-Multi"]) != 2 || r.Header["Weird_name"] == nil {
				t.Errorf("header %v", r.Header)
			}
			if _, ok := r.Header["Host"]; ok {
				t.Errorf("Host in Header")
			}
			if b, _ := io.ReadAll(r.Body); string(b) != "body" || r.ContentLength != -1 && r.ContentLength != 4 {
				t.Errorf("body %q length %d", b, r.ContentLength)
			}
		})
	}
}

func TestConvertRequestNoBody(t *testing.T) {
	var r http.Request
	if err := ConvertRequest(newCtx("GET", "/", ""), &r, true); err != nil {
		t.Fatal(err)
	}
	if r.Body != http.NoBody || r.ContentLength != 0 {
		t.Fatalf("Body %v length %d", r.Body, r.ContentLength)
	}
}

// TestConvertRequestTLS checks the scheme of a client request built on a
// TLS connection, and the request's TLS state.
func TestConvertRequestTLS(t *testing.T) {
	h := func(ctx *volt.RequestCtx) {
		var r http.Request
		if err := ConvertRequest(ctx, &r, false); err != nil {
			ctx.Error(err.Error(), 500)
			return
		}
		ctx.WriteString(r.URL.String())
		if r.TLS == nil || !r.TLS.HandshakeComplete {
			ctx.WriteString(" no TLS state")
		}
	}
	url, client := serveVolt(t, h, peer{tls: true})
	resp, err := client.Get(url + "/p?q=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := url + "/p?q=1"; string(body) != want || !strings.HasPrefix(want, "https://") {
		t.Fatalf("got %q, want %q", body, want)
	}
}

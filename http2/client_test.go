package http2

import (
	"bytes"
	"testing"

	"github.com/volthttp/volt"
)

func echoHandler(ctx *volt.RequestCtx) {
	ctx.Response.Header.Set("X-Method", string(ctx.Method()))
	ctx.Response.Header.Set("X-Path", string(ctx.Request.Header.RequestURI()))
	ctx.Response.Header.Set("X-Proto", string(ctx.Request.Header.Protocol()))
	ctx.Response.Header.Set("X-Host", string(ctx.Request.Header.Host()))
	if len(ctx.PostBody()) > 0 {
		ctx.SetBody(ctx.PostBody())
		return
	}
	ctx.SetBodyString("hello " + string(ctx.Method()))
}

// TestClientGETPOST: RFC 9113 section 8.3.1: a request's pseudo-header
// fields reach the server, over h2c and TLS, and the response head and
// body come back.
func TestClientGETPOST(t *testing.T) {
	for _, withTLS := range []bool{false, true} {
		name := "h2c"
		var addr string
		if withTLS {
			name = "tls"
			addr = newTLSTestServer(t, &volt.Server{Handler: echoHandler}, nil)
		} else {
			addr = newTestServer(t, &volt.Server{Handler: echoHandler}, nil).addr()
		}
		t.Run(name, func(t *testing.T) {
			cc := dialClient(t, addr, withTLS, nil)
			resp, err := doReq(t, cc, "GET", "http://example.com/a/b?x=1", nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != 200 || string(resp.Body()) != "hello GET" {
				t.Fatalf("GET: %d %q", resp.StatusCode(), resp.Body())
			}
			for k, want := range map[string]string{"X-Method": "GET", "X-Path": "/a/b?x=1", "X-Proto": "HTTP/2.0", "X-Host": "example.com"} {
				if got := string(resp.Header.Peek(k)); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			resp, err = doReq(t, cc, "POST", "http://example.com/post", []byte("payload"))
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body()) != "payload" || string(resp.Header.Peek("X-Method")) != "POST" {
				t.Fatalf("POST: %q %q", resp.Body(), resp.Header.Peek("X-Method"))
			}
			resp, err = doReq(t, cc, "HEAD", "http://example.com/", nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode() != 200 || len(resp.Body()) != 0 {
				t.Fatalf("HEAD: %d %q", resp.StatusCode(), resp.Body())
			}
		})
	}
}

// TestClientLargeBodies: RFC 9113 section 6.9: 1 MiB up and down, with
// windows smaller than the body on both sides, so that both wait for
// WINDOW_UPDATE.
func TestClientLargeBodies(t *testing.T) {
	ts := newTestServer(t, &volt.Server{Handler: echoHandler, MaxRequestBodySize: 2 << 20},
		&Server{InitialWindowSize: 64 << 10, ConnWindowSize: 128 << 10})
	cc := dialClient(t, ts.addr(), false, &ClientConfig{InitialWindowSize: 64 << 10, ConnWindowSize: 100 << 10})
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	resp, err := doReq(t, cc, "POST", "http://example.com/up", body)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body(), body) {
		t.Fatalf("echo of %d bytes: got %d bytes", len(body), len(resp.Body()))
	}
}

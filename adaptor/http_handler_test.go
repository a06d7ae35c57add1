package adaptor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

func voltEcho(ctx *volt.RequestCtx) {
	var vals []string
	for v := range ctx.Request.Header.Values("X-Multi") {
		vals = append(vals, string(v))
	}
	ctx.Response.Header.Set("X-Method", string(ctx.Method()))
	ctx.Response.Header.Add("X-Out", "1")
	ctx.Response.Header.Add("X-Out", "2")
	c := volt.AcquireCookie()
	c.SetKey("k")
	c.SetValue("v")
	ctx.Response.Header.SetCookie(c)
	volt.ReleaseCookie(c)
	ctx.SetContentType("text/x-echo")
	ctx.SetStatusCode(volt.StatusAccepted)
	fmt.Fprintf(ctx, "path=%s q=%s multi=%q cookie=%s body=%s proto=%s",
		ctx.Path(), ctx.QueryArgs().Peek("q"), vals, ctx.Request.Header.Cookie("c"), ctx.PostBody(),
		ctx.Request.Header.Protocol())
}

func TestHTTPHandler(t *testing.T) {
	srv := httptest.NewServer(HTTPHandler(voltEcho))
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/a/b?q=1", strings.NewReader("payload"))
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.AddCookie(&http.Cookie{Name: "c", Value: "cv"})
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `path=/a/b q=1 multi=["one" "two"] cookie=cv body=payload proto=HTTP/1.1`; string(body) != want {
		t.Errorf("body %q\nwant %q", body, want)
	}
	if resp.StatusCode != 202 || resp.Header.Get("Content-Type") != "text/x-echo" ||
		resp.Header.Get("X-Method") != "POST" || len(resp.Header.Values("X-Out")) != 2 ||
		resp.ContentLength != int64(len(body)) {
		t.Errorf("status %d header %v length %d", resp.StatusCode, resp.Header, resp.ContentLength)
	}
	if c := resp.Cookies(); len(c) != 1 || c[0].Name != "k" || c[0].Value != "v" {
		t.Errorf("cookies %v", c)
	}
}

func TestHTTPHandlerBodyStream(t *testing.T) {
	h := func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/stream":
			ctx.Response.SetBodyStream(strings.NewReader("streamed body"), -1)
		case "/writer":
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) { w.WriteString("x") })
		case "/upload":
			// A streamed request body, read as it comes.
			n, err := io.Copy(io.Discard, ctx.Request.BodyStream())
			fmt.Fprintf(ctx, "%d %v", n, err)
		}
	}
	srv := httptest.NewServer(HTTPHandler(h))
	defer srv.Close()
	for _, tc := range []struct {
		path, body string
		code       int
	}{
		{"/stream", "streamed body", 200},
		{"/writer", ErrStreamWriter.Error() + "\n", 500},
	} {
		resp, err := srv.Client().Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || string(body) != tc.body {
			t.Errorf("%s: %d %q", tc.path, resp.StatusCode, body)
		}
	}
	pr, pw := io.Pipe()
	go func() { pw.Write(make([]byte, 100000)); pw.Close() }()
	resp, err := srv.Client().Post(srv.URL+"/upload", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "100000 <nil>" {
		t.Errorf("upload: %q", body)
	}
}

// TestHTTPHandlerCancel checks that the RequestCtx is done when the
// net/http request's context is.
func TestHTTPHandlerCancel(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan error, 1)
	h := func(ctx *volt.RequestCtx) {
		close(started)
		select {
		case <-ctx.Done():
			cancelled <- ctx.Err()
		case <-time.After(5 * time.Second):
			cancelled <- errors.New("not cancelled")
		}
	}
	srv := httptest.NewServer(HTTPHandler(h))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	go func() { <-started; cancel() }()
	if _, err := srv.Client().Do(req); err == nil {
		t.Fatal("request not cancelled")
	}
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("Err = %v", err)
	}
}

// TestRoundTrip serves a net/http handler through HTTPHandler(NewHandler(h))
// on net/http: both directions at once.
func TestRoundTrip(t *testing.T) {
	srv := httptest.NewServer(HTTPHandler(NewHandlerFunc(echoRequest)))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/x?y=1", "text/plain", strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"method=POST\n", "uri=/x?y=1\n", "length=3\n", "body=abc\n"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("lacks %q:\n%s", want, body)
		}
	}
}

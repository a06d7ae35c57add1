package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

// fetchRun calls run as the command line would and returns its outputs.
func fetchRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// testOrigin starts a volt server on loopback with the paths the tests
// use.
func testOrigin(t *testing.T) string {
	t.Helper()
	s := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		switch string(ctx.Path()) {
		case "/echo":
			ctx.Response.Header.Set("X-Method", string(ctx.Method()))
			fmt.Fprintf(ctx, "%s %s x-test=%s body=%s", ctx.Method(), ctx.Path(),
				ctx.Request.Header.Peek("X-Test"), ctx.PostBody())
		case "/redirect":
			ctx.Redirect("/echo", volt.StatusFound)
		case "/gzip":
			if !strings.Contains(string(ctx.Request.Header.Peek("Accept-Encoding")), "gzip") {
				ctx.WriteString("plain")
				return
			}
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			zw.Write([]byte(strings.Repeat("compressed ", 100)))
			zw.Close()
			ctx.Response.Header.Set("Content-Encoding", "gzip")
			ctx.SetBody(b.Bytes())
		case "/slow":
			time.Sleep(time.Second)
			ctx.WriteString("late")
		case "/big":
			ctx.WriteString(strings.Repeat("x", 1000))
		case "/missing":
			ctx.NotFound()
		}
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Serve(ln); close(done) }()
	t.Cleanup(func() { s.Close(); <-done })
	return "http://" + ln.Addr().String()
}

func TestFetch(t *testing.T) {
	base := testOrigin(t)
	cases := []struct {
		name      string
		args      []string
		code      int
		stdout    string // exact, if not empty
		stderrHas []string
	}{
		{"get", []string{"-H", "X-Test: one", base + "/echo"}, 0,
			"GET /echo x-test=one body=", []string{"HTTP/1.1 200 OK\n", "X-Method: GET\n", "Content-Length: 26\n"}},
		{"post-data", []string{"-d", "a=1", base + "/echo"}, 0,
			"POST /echo x-test= body=a=1", []string{"X-Method: POST"}},
		{"method-and-data", []string{"-X", "put", "-d", "payload", base + "/echo"}, 0,
			"PUT /echo x-test= body=payload", nil},
		{"follows-redirects", []string{base + "/redirect"}, 0,
			"GET /echo x-test= body=", []string{"HTTP/1.1 200 OK"}},
		{"compressed", []string{"-compressed", base + "/gzip"}, 0,
			strings.Repeat("compressed ", 100), []string{"Content-Encoding: gzip"}},
		{"not-found-is-a-response", []string{base + "/missing"}, 0,
			"", []string{"HTTP/1.1 404 Not Found"}},
		{"timeout", []string{"-timeout", "200ms", base + "/slow"}, 1,
			"", []string{"fetch: timeout (after 200ms)"}},
		{"body-too-large", []string{"-max-size", "100", base + "/big"}, 1,
			"", []string{"fetch: body too large"}},
		{"refused", []string{"http://127.0.0.1:1/"}, 1,
			"", []string{"fetch: connection refused"}},
		{"usage", []string{}, 2, "", []string{"usage: fetch"}},
		{"bad-header", []string{"-H", "nocolon", base + "/echo"}, 1, "", []string{"fetch: bad -H nocolon"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := fetchRun(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if tc.stdout != "" && stdout != tc.stdout {
				t.Fatalf("stdout %q, want %q", stdout, tc.stdout)
			}
			for _, s := range tc.stderrHas {
				if !strings.Contains(stderr, s) {
					t.Fatalf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tc.code == 1 && strings.Count(stderr, "\n") != 1 {
				t.Fatalf("error is not one line: %q", stderr)
			}
		})
	}
}

// TestFetchMalformed: a server that answers garbage gives "malformed
// response".
func TestFetchMalformed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Read(make([]byte, 4096))
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
			}()
		}
	}()
	code, _, stderr := fetchRun(t, "http://"+ln.Addr().String()+"/")
	if code != 1 || !strings.HasPrefix(stderr, "fetch: malformed response:") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// TestFetchCertificate: an untrusted certificate is named as the cause;
// -insecure skips the check.
func TestFetchCertificate(t *testing.T) {
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secret")
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	ts.StartTLS()
	defer ts.Close()
	code, _, stderr := fetchRun(t, ts.URL)
	if code != 1 || !strings.HasPrefix(stderr, "fetch: certificate:") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, stdout, stderr := fetchRun(t, "-insecure", ts.URL)
	if code != 0 || stdout != "secret" {
		t.Fatalf("-insecure: exit %d %q: %s", code, stdout, stderr)
	}
}

// TestFetchProxy: -proxy sends the request through an HTTP proxy.
func TestFetchProxy(t *testing.T) {
	base := testOrigin(t)
	var relayed atomic.Int32
	px := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		relayed.Add(1)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	defer px.Close()
	code, stdout, stderr := fetchRun(t, "-proxy", px.URL, base+"/echo")
	if code != 0 || stdout != "GET /echo x-test= body=" || relayed.Load() != 1 {
		t.Fatalf("exit %d %q, %d relayed: %s", code, stdout, relayed.Load(), stderr)
	}
}

// TestHeaderFile checks that -H @FILE sends the fields of FILE, so that a
// secret need not be on the command line.
func TestHeaderFile(t *testing.T) {
	base := testOrigin(t)
	file := t.TempDir() + "/headers"
	if err := os.WriteFile(file, []byte("X-Test: from-file\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := fetchRun(t, "-H", "@"+file, base+"/echo"); code != 0 || out != "GET /echo x-test=from-file body=" {
		t.Errorf("%d %q %q", code, out, errOut)
	}
	if code, _, errOut := fetchRun(t, "-H", "@"+file+".missing", base+"/echo"); code != 1 || !strings.Contains(errOut, "missing") {
		t.Errorf("missing file: %d %q", code, errOut)
	}
}

// TestDecompressLimits: the decompression limit holds at its edges, and
// "no limit" (negative or MaxInt64) is its own case rather than limit+1,
// which would overflow.
func TestDecompressLimits(t *testing.T) {
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	_, _ = w.Write([]byte("hello, world"))
	_ = w.Close()
	for _, tc := range []struct {
		limit int64
		ok    bool
	}{{12, true}, {11, false}, {-1, true}, {math.MaxInt64, true}} {
		out, err := decompress(z.Bytes(), []byte("gzip"), tc.limit)
		if tc.ok && (err != nil || string(out) != "hello, world") {
			t.Errorf("limit %d: %q, %v", tc.limit, out, err)
		}
		if !tc.ok && !errors.Is(err, errBodyTooLarge) {
			t.Errorf("limit %d: %v, want errBodyTooLarge", tc.limit, err)
		}
	}
}

// TestFetchHTTP2: https speaks HTTP/2 when the server offers it (here Go's
// net/http server), --http1.1 keeps HTTP/1.1, --http2-prior-knowledge
// speaks HTTP/2 over cleartext, and the status line and -v name the
// protocol.
func TestFetchHTTP2(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "proto=%s", r.Proto)
	})
	ts := httptest.NewUnstartedServer(handler)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()

	code, stdout, stderr := fetchRun(t, "-insecure", "-v", ts.URL)
	if code != 0 || stdout != "proto=HTTP/2.0" || !strings.Contains(stderr, "\nHTTP/2 200\n") || !strings.Contains(stderr, "ALPN: h2") {
		t.Fatalf("default over TLS: exit %d %q\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = fetchRun(t, "-insecure", "--http2", ts.URL)
	if code != 0 || stdout != "proto=HTTP/2.0" || !strings.HasPrefix(stderr, "HTTP/2 200\n") {
		t.Fatalf("--http2: exit %d %q\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = fetchRun(t, "-insecure", "--http1.1", ts.URL)
	if code != 0 || stdout != "proto=HTTP/1.1" || !strings.HasPrefix(stderr, "HTTP/1.1 200 OK\n") {
		t.Fatalf("--http1.1: exit %d %q\n%s", code, stdout, stderr)
	}

	h2c := &http.Server{Handler: handler, Protocols: new(http.Protocols)}
	h2c.Protocols.SetUnencryptedHTTP2(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go h2c.Serve(ln)
	defer h2c.Close()
	code, stdout, stderr = fetchRun(t, "--http2-prior-knowledge", "http://"+ln.Addr().String()+"/")
	if code != 0 || stdout != "proto=HTTP/2.0" || !strings.HasPrefix(stderr, "HTTP/2 200\n") {
		t.Fatalf("--http2-prior-knowledge: exit %d %q\n%s", code, stdout, stderr)
	}
	if code, _, _ := fetchRun(t, "--http1.1", "--http2", ts.URL); code != 2 {
		t.Fatalf("--http1.1 with --http2: exit %d, want 2", code)
	}
}

package fastcgi

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"github.com/volthttp/volt"
	"github.com/volthttp/volt/tlsutil"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// echoParams answers with the parameters, one "NAME=value" per line.
func echoParams(r *fakeRequest, w *fakeWriter) {
	names := make([]string, 0, len(r.params))
	for n := range r.params {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("Content-Type: text/plain\r\n\r\n")
	for _, n := range names {
		fmt.Fprintf(&b, "%s=%s\n", n, r.params[n])
	}
	w.stdout(b.String())
}

func paramsOf(body string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(body, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// TestMetaVariablesRFC3875Section4_1 checks the CGI meta-variables sent
// as PARAMS, including HTTP_* fields and the ones that must not be sent.
func TestMetaVariablesRFC3875Section4_1(t *testing.T) {
	root := testRoot(t, "app/index.php")
	base, _, _ := setup(t, false, root, Config{Env: map[string]string{"APP_ENV": "test"}}, echoParams)
	hc := httpClient(t)
	req, _ := http.NewRequest("POST", base+"/app/index.php/extra/path?a=1&b=%20x", strings.NewReader("k=v"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Custom-Name", "v1")
	req.Header.Add("X-Multi", "a")
	req.Header.Add("X-Multi", "b")
	req.Header["X_Custom_Name"] = []string{"spoofed"}
	req.Header.Set("Proxy", "http://evil:1")
	req.Header.Add("Cookie", "a=1")
	req.Header.Add("Cookie", "b=2")
	resp, body, err := do(t, hc, req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %d %s", err, resp.StatusCode, body)
	}
	p := paramsOf(body)
	host := strings.TrimPrefix(base, "http://")
	_, port, _ := net.SplitHostPort(host)
	want := map[string]string{
		"GATEWAY_INTERFACE":  "CGI/1.1",
		"SERVER_SOFTWARE":    "volt",
		"SERVER_NAME":        "127.0.0.1",
		"SERVER_PORT":        port,
		"SERVER_PROTOCOL":    "HTTP/1.1",
		"REQUEST_METHOD":     "POST",
		"REQUEST_URI":        "/app/index.php/extra/path?a=1&b=%20x",
		"REQUEST_SCHEME":     "http",
		"QUERY_STRING":       "a=1&b=%20x",
		"SCRIPT_NAME":        "/app/index.php",
		"SCRIPT_FILENAME":    root + "/app/index.php",
		"PATH_INFO":          "/extra/path",
		"PATH_TRANSLATED":    root + "/extra/path",
		"DOCUMENT_ROOT":      root,
		"REMOTE_ADDR":        "127.0.0.1",
		"CONTENT_TYPE":       "application/x-www-form-urlencoded",
		"CONTENT_LENGTH":     "3",
		"HTTP_HOST":          host,
		"HTTP_X_CUSTOM_NAME": "v1",
		"HTTP_X_MULTI":       "a, b",
		"HTTP_COOKIE":        "a=1; b=2",
		"APP_ENV":            "test",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
	if p["REMOTE_PORT"] == "" {
		t.Error("REMOTE_PORT missing")
	}
	for _, k := range []string{"HTTP_PROXY", "HTTPS", "HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"} {
		if v, ok := p[k]; ok {
			t.Errorf("%s sent: %q", k, v)
		}
	}
	if strings.Contains(body, "spoofed") {
		t.Errorf("a field with '_' in its name was sent: %s", body)
	}
}

// TestScriptNameIndex: a directory runs its index; GET without a body
// sends no CONTENT_LENGTH.
func TestScriptNameIndex(t *testing.T) {
	root := testRoot(t, "index.php", "sub/main.php")
	base, _, _ := setup(t, true, root, Config{Index: "main.php"}, echoParams)
	hc := httpClient(t)
	_, body := get(t, hc, base+"/sub/")
	p := paramsOf(body)
	if p["SCRIPT_NAME"] != "/sub/main.php" || p["PATH_INFO"] != "" || p["SCRIPT_FILENAME"] != root+"/sub/main.php" {
		t.Fatalf("params: %v", p)
	}
	if _, ok := p["PATH_TRANSLATED"]; ok {
		t.Error("PATH_TRANSLATED without PATH_INFO")
	}
	if _, ok := p["CONTENT_LENGTH"]; ok {
		t.Error("CONTENT_LENGTH without a body")
	}
	if resp, _ := get(t, hc, base+"/"); resp.StatusCode != 404 {
		t.Fatalf("/ without main.php: %d", resp.StatusCode)
	}
}

// TestStdinStreamed: a 3 MiB body with a Content-Length reaches the
// application whole, as STDIN records of at most 65535 bytes padded to 8;
// a chunked body is sent with its CONTENT_LENGTH.
func TestStdinStreamed(t *testing.T) {
	root := testRoot(t, "up.php")
	var maxRec, badPad = 0, false
	base, _, _ := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		maxRec, badPad = r.maxRecord, r.badPadding
		w.stdout(fmt.Sprintf("Content-Type: text/plain\n\n%s %d %x", r.params["CONTENT_LENGTH"], len(r.stdin), sha256.Sum256(r.stdin)))
	})
	hc := httpClient(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 3<<16)
	req, _ := http.NewRequest("POST", base+"/up.php", bytes.NewReader(big))
	_, body, err := do(t, hc, req)
	if want := fmt.Sprintf("%d %d %x", len(big), len(big), sha256.Sum256(big)); err != nil || body != want {
		t.Fatalf("body %q, want %q (%v)", body, want, err)
	}
	if maxRec > maxContent || badPad {
		t.Fatalf("longest record %d, bad padding %v", maxRec, badPad)
	}
	req, _ = http.NewRequest("POST", base+"/up.php", io.MultiReader(strings.NewReader("chunked body")))
	_, body, _ = do(t, hc, req)
	if want := fmt.Sprintf("12 12 %x", sha256.Sum256([]byte("chunked body"))); body != want {
		t.Fatalf("chunked: %q, want %q", body, want)
	}
}

// TestResponseStatusLocationRFC3875Section6_3 checks Status and Location.
func TestResponseStatusLocationRFC3875Section6_3(t *testing.T) {
	root := testRoot(t, "x.php")
	var header string
	base, _, _ := setup(t, true, root, Config{}, func(r *fakeRequest, w *fakeWriter) { w.stdout(header) })
	hc := httpClient(t)
	for _, tc := range []struct {
		header   string
		status   int
		location string
		body     string
	}{
		{"Status: 418 I'm a teapot\r\nContent-Type: text/plain\r\n\r\nshort", 418, "", "short"},
		{"Location: http://example.com/a?b\r\n\r\n", 302, "http://example.com/a?b", ""},
		{"Location: /local/path?q=1\n\n", 302, "/local/path?q=1", ""},
		{"Status: 301\r\nLocation: https://example.com/\r\n\r\n", 301, "https://example.com/", ""},
		{"Content-Type: text/html\n\n<p>doc</p>", 200, "", "<p>doc</p>"},
		{"X-A: 1\r\nContent-Length: 3\r\n\r\nabcdef", 200, "", "abc"},
		{"\r\nno header", 200, "", "no header"},
	} {
		header = tc.header
		resp, body := get(t, hc, base+"/x.php")
		if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location || body != tc.body {
			t.Errorf("%q: %d %q %q", tc.header, resp.StatusCode, resp.Header.Get("Location"), body)
		}
	}
}

// TestResponseHeaderInvalid: what the application sends is validated
// before it is written: a bad header is 502, and the next request works.
func TestResponseHeaderInvalid(t *testing.T) {
	root := testRoot(t, "x.php")
	var header string
	base, app, log := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		if header == "" {
			w.stdout("Content-Type: text/plain\n\nok")
			return
		}
		w.stdout(header)
	})
	hc := httpClient(t)
	for _, h := range []string{
		"Bad Name: x\r\n\r\n",
		"X-A: a\x01b\r\n\r\n",
		"X-A: a\rb\r\n\r\n",
		"no colon\r\n\r\n",
		" folded: x\r\n\r\n",
		"Status: abc\r\n\r\n",
		"Status: 99\r\n\r\n",
		"Status: 200\r\nStatus: 201\r\n\r\n",
		"Content-Length: -1\r\n\r\n",
		"Content-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"Content-Length: 10\r\n\r\nshort",
		"X-Big: " + strings.Repeat("a", MaxHeaderSize) + "\r\n\r\n",
		"Content-Type: text/plain\r\n", // no blank line before END_REQUEST
	} {
		header = h
		resp, body := get(t, hc, base+"/x.php")
		if resp.StatusCode != 502 || resp.Header.Get("X-A") != "" {
			t.Errorf("%.40q: %d %q", h, resp.StatusCode, body)
		}
		header = ""
		if resp, body := get(t, hc, base+"/x.php"); resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("after %.40q: %d %q", h, resp.StatusCode, body)
		}
	}
	if n := log.count("fastcgi: request failed"); n != 13 {
		t.Errorf("%d failures logged", n)
	}
	_ = app
}

// TestResponseStreamed: a body longer than what arrives with the header
// is streamed as the application writes it.
func TestResponseStreamed(t *testing.T) {
	root := testRoot(t, "x.php")
	chunk := strings.Repeat("z", 40000)
	base, _, _ := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		w.stdout("Content-Type: text/plain\r\n\r\n")
		for i := 0; i < 50; i++ {
			w.stdout(chunk)
			if i%10 == 0 {
				w.flush()
				sleep(5 * time.Millisecond)
			}
		}
		w.stderr("done\n")
	})
	hc := httpClient(t)
	for i := 0; i < 3; i++ {
		resp, body := get(t, hc, base+"/x.php")
		if resp.StatusCode != 200 || len(body) != 50*len(chunk) {
			t.Fatalf("%d %d", resp.StatusCode, len(body))
		}
	}
}

// TestStderrBounded: STDERR lines reach the logger, at most MaxStderr
// bytes per request; a flood is counted and dropped.
func TestStderrBounded(t *testing.T) {
	root := testRoot(t, "x.php")
	base, _, log := setup(t, true, root, Config{MaxStderr: 100}, func(r *fakeRequest, w *fakeWriter) {
		w.stderr("first line\nsecond ")
		w.stderr("line\n")
		flood := strings.Repeat("flood flood flood\n", 1<<16)
		w.stderr(flood)
		w.stdout("Content-Type: text/plain\r\n\r\nok")
	})
	hc := httpClient(t)
	resp, body := get(t, hc, base+"/x.php")
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	lines := log.attrs("fastcgi: stderr", "line")
	total := 0
	for _, l := range lines {
		total += len(l) + 1
	}
	if len(lines) < 3 || lines[0] != "first line" || lines[1] != "second line" || total > 100+1 {
		t.Fatalf("lines %q (%d bytes)", lines, total)
	}
	dropped := log.attrs("fastcgi: stderr past the limit dropped", "bytes")
	if want := fmt.Sprint(len("first line\nsecond line\n") + 18<<16 - 100); len(dropped) != 1 || dropped[0] != want {
		t.Fatalf("dropped %v, want %s", dropped, want)
	}
	if s := log.attrs("fastcgi: stderr", "script"); s[0] != "/x.php" {
		t.Fatalf("script %q", s[0])
	}
}

// TestKeepConnReused: with FCGI_KEEP_CONN one connection carries many
// requests, over TCP and over a Unix socket.
func TestKeepConnReused(t *testing.T) {
	for _, unix := range []bool{false, true} {
		t.Run(fmt.Sprint("unix=", unix), func(t *testing.T) {
			root := testRoot(t, "x.php")
			keep := true
			base, app, _ := setup(t, unix, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
				keep = keep && r.keep
				w.stdout("Content-Type: text/plain\r\n\r\nok")
			})
			hc := httpClient(t)
			for i := 0; i < 20; i++ {
				if _, body := get(t, hc, base+"/x.php"); body != "ok" {
					t.Fatal(body)
				}
			}
			if n := app.conns.Load(); n != 1 || !keep {
				t.Fatalf("%d connections for 20 requests (keep %v)", n, keep)
			}
		})
	}
}

// TestNoKeepConn: MaxIdleConns < 0 asks the application to close.
func TestNoKeepConn(t *testing.T) {
	root := testRoot(t, "x.php")
	base, app, _ := setup(t, false, root, Config{MaxIdleConns: -1}, func(r *fakeRequest, w *fakeWriter) {
		if r.keep {
			w.stdout("Status: 500\r\n\r\n")
			return
		}
		w.stdout("Content-Type: text/plain\r\n\r\nok")
	})
	hc := httpClient(t)
	for i := 0; i < 3; i++ {
		if _, body := get(t, hc, base+"/x.php"); body != "ok" {
			t.Fatal(body)
		}
	}
	if n := app.conns.Load(); n != 3 {
		t.Fatalf("%d connections", n)
	}
}

// TestIdleConnClosedByApp: an idle connection the application closed is
// not used; the request goes over a new one.
func TestIdleConnClosedByApp(t *testing.T) {
	root := testRoot(t, "x.php")
	base, app, _ := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		w.stdout("Content-Type: text/plain\r\n\r\nok")
		w.end(RequestComplete)
		w.die()
	})
	hc := httpClient(t)
	for i := 0; i < 3; i++ {
		if resp, body := get(t, hc, base+"/x.php"); body != "ok" {
			t.Fatal(resp.StatusCode, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := app.conns.Load(); n != 3 {
		t.Fatalf("%d connections", n)
	}
}

// TestReadTimeout: an application that stalls is answered 504.
func TestReadTimeout(t *testing.T) {
	root := testRoot(t, "x.php")
	release := make(chan struct{})
	defer close(release)
	base, _, log := setup(t, false, root, Config{ReadTimeout: 100 * time.Millisecond}, func(r *fakeRequest, w *fakeWriter) {
		if r.params["QUERY_STRING"] == "stall" {
			select {
			case <-release:
			case <-time.After(5 * time.Second):
			}
			w.die()
			return
		}
		w.stdout("Content-Type: text/plain\r\n\r\nok")
	})
	hc := httpClient(t)
	start := time.Now()
	if resp, _ := get(t, hc, base+"/x.php?stall"); resp.StatusCode != 504 {
		t.Fatalf("stall: %d", resp.StatusCode)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	if _, body := get(t, hc, base+"/x.php"); body != "ok" {
		t.Fatal(body)
	}
	if log.count("fastcgi: request failed") != 1 {
		t.Fatal("timeout not logged")
	}
}

// TestAppDies: an application that dies before its header is 502; one
// that dies mid-body cuts the response; both are logged and the next
// request works.
func TestAppDies(t *testing.T) {
	root := testRoot(t, "x.php")
	base, _, log := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		switch r.params["QUERY_STRING"] {
		case "before":
			w.stdout("Content-Type: te")
			w.die()
		case "mid":
			w.stdout("Content-Type: text/plain\r\nContent-Length: 300000\r\n\r\n")
			w.stdout(strings.Repeat("x", 100000))
			w.flush()
			sleep(20 * time.Millisecond)
			w.die()
		case "overloaded":
			w.end(Overloaded)
		default:
			w.stdout("Content-Type: text/plain\r\n\r\nok")
		}
	})
	hc := httpClient(t)
	if resp, _ := get(t, hc, base+"/x.php?before"); resp.StatusCode != 502 {
		t.Fatalf("before: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/x.php?mid", nil)
	resp, body, err := do(t, hc, req)
	if resp.StatusCode != 200 || err == nil || len(body) >= 300000 {
		t.Fatalf("mid: %d %d %v", resp.StatusCode, len(body), err)
	}
	if resp, _ := get(t, hc, base+"/x.php?overloaded"); resp.StatusCode != 503 {
		t.Fatalf("overloaded: %d", resp.StatusCode)
	}
	if _, body := get(t, hc, base+"/x.php"); body != "ok" {
		t.Fatal(body)
	}
	if log.count("fastcgi: request failed") != 2 || log.count("fastcgi: response cut") != 1 {
		t.Fatalf("logged: %d failed, %d cut", log.count("fastcgi: request failed"), log.count("fastcgi: response cut"))
	}
}

// TestMaxConns: with MaxConns busy, a request waits DialTimeout, then 503.
func TestMaxConns(t *testing.T) {
	root := testRoot(t, "x.php")
	release := make(chan struct{})
	base, _, _ := setup(t, false, root, Config{MaxConns: 1, DialTimeout: 100 * time.Millisecond}, func(r *fakeRequest, w *fakeWriter) {
		if r.params["QUERY_STRING"] == "hold" {
			<-release
		}
		w.stdout("Content-Type: text/plain\r\n\r\nok")
	})
	hc := httpClient(t)
	done := make(chan string)
	go func() {
		resp, err := hc.Get(base + "/x.php?hold")
		if err != nil {
			done <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- string(b)
	}()
	time.Sleep(50 * time.Millisecond)
	if resp, _ := get(t, hc, base+"/x.php"); resp.StatusCode != 503 {
		t.Fatalf("%d", resp.StatusCode)
	}
	close(release)
	if s := <-done; s != "ok" {
		t.Fatal(s)
	}
	if _, body := get(t, hc, base+"/x.php"); body != "ok" {
		t.Fatal(body)
	}
}

// TestAppUnreachable: no application listening is 502.
func TestAppUnreachable(t *testing.T) {
	root := testRoot(t, "x.php")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	c := newTestClient(t, Config{Addr: addr, Root: root, Logger: discard()})
	base := serve(t, &volt.Server{Handler: c.Handler})
	if resp, _ := get(t, httpClient(t), base+"/x.php"); resp.StatusCode != 502 {
		t.Fatalf("%d", resp.StatusCode)
	}
}

// TestClosedClient: requests after Close are 503.
func TestClosedClient(t *testing.T) {
	root := testRoot(t, "x.php")
	_, addr := startFakeApp(t, false, echoParams)
	c := newTestClient(t, Config{Addr: addr, Root: root, Logger: discard()})
	c.Close()
	base := serve(t, &volt.Server{Handler: c.Handler})
	if resp, _ := get(t, httpClient(t), base+"/x.php"); resp.StatusCode != 503 {
		t.Fatalf("%d", resp.StatusCode)
	}
}

// TestNewConfig checks New's validation and defaults.
func TestNewConfig(t *testing.T) {
	root := t.TempDir()
	for _, tc := range []struct {
		cfg Config
		err error
	}{
		{Config{Root: root}, ErrNoAddr},
		{Config{Addr: "x:1"}, ErrNoRoot},
		{Config{Addr: "x:1", Root: root, SplitExt: "php"}, ErrBadSplitExt},
		{Config{Addr: "x:1", Root: root, SplitExt: ".p/p"}, ErrBadSplitExt},
		{Config{Addr: "x:1", Root: root, Index: "a/b.php"}, ErrBadIndex},
		{Config{Addr: "x:1", Root: root, Env: map[string]string{"A=B": "c"}}, ErrBadEnv},
		{Config{Addr: "x:1", Root: root, Env: map[string]string{"A": "c\x00"}}, ErrBadEnv},
	} {
		if _, err := New(tc.cfg); err != tc.err {
			t.Errorf("%+v: %v, want %v", tc.cfg, err, tc.err)
		}
	}
	c, err := New(Config{Addr: "unix:/run/x.sock", Root: root + "/"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.network != "unix" || c.address != "/run/x.sock" || c.index != DefaultIndex || c.splitExt != DefaultSplitExt ||
		c.readTimeout != DefaultReadTimeout || cap(c.sem) != DefaultMaxConns || c.maxIdle != DefaultMaxConns || c.rootPath != root {
		t.Fatalf("%+v", c)
	}
	if _, err := New(Config{Addr: "x:1", Root: root + "/missing"}); err == nil {
		t.Fatal("missing root accepted")
	}
}

// TestMetaVariablesHTTPS: over TLS, HTTPS=on and REQUEST_SCHEME=https
// (RFC 3875 section 4.1 leaves protocol-specific variables to the server;
// HTTPS is the one applications read).
func TestMetaVariablesHTTPS(t *testing.T) {
	root := testRoot(t, "x.php")
	_, addr := startFakeApp(t, false, echoParams)
	c := newTestClient(t, Config{Addr: addr, Root: root, Logger: discard()})
	cert, roots, err := tlsutil.SelfSigned("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, &volt.Server{Handler: c.Handler, TLSConfig: tlsutil.ServerConfig(cert)})
	tr := &http.Transport{TLSClientConfig: tlsutil.ClientConfig(roots)}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("https://" + strings.TrimPrefix(base, "http://") + "/x.php")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p := paramsOf(string(b))
	if p["HTTPS"] != "on" || p["REQUEST_SCHEME"] != "https" {
		t.Fatalf("%s", b)
	}
}

// TestKeptConnClosedOnReuse: an application that closes a kept
// connection when the next request arrives (as php-fpm does when a child
// ends) gets the request again on a new connection, if it has no body.
func TestKeptConnClosedOnReuse(t *testing.T) {
	root := testRoot(t, "x.php")
	base, app, log := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		if r.seq == 1 {
			w.die()
			return
		}
		w.stdout("Content-Type: text/plain\r\n\r\nok")
	})
	hc := httpClient(t)
	for i := 0; i < 4; i++ {
		if resp, body := get(t, hc, base+"/x.php"); body != "ok" {
			t.Fatalf("request %d: %d %q", i, resp.StatusCode, body)
		}
	}
	if n := app.conns.Load(); n != 4 {
		t.Fatalf("%d connections", n)
	}
	if n := log.count("fastcgi: request failed"); n != 0 {
		t.Fatalf("%d failures logged", n)
	}
	// With a body, the request is not sent twice: 502.
	req, _ := http.NewRequest("POST", base+"/x.php", strings.NewReader("body"))
	if resp, _, _ := do(t, hc, req); resp.StatusCode != 502 {
		t.Fatalf("POST on a closed kept connection: %d", resp.StatusCode)
	}
}

// TestBodiesStreamedBothWays: the application sees the request body
// while the client is still sending it, and the client sees the response
// body while the application is still writing it: neither is held whole.
func TestBodiesStreamedBothWays(t *testing.T) {
	root := testRoot(t, "x.php")
	release := make(chan struct{})
	var app *fakeApp
	base, app, _ := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		w.stdout("Content-Type: text/plain\r\n\r\n")
		w.stdout(strings.Repeat("a", 200000))
		w.flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		w.stdout("end")
	})
	const part = 1 << 20
	pr, pw := io.Pipe()
	go func() {
		pw.Write(bytes.Repeat([]byte("b"), part))
		// Wait until the application has the first part before the rest.
		start := time.Now()
		for deadline := time.Now().Add(10 * time.Second); app.stdin.Load() < part/2 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("the application saw %d STDIN bytes of the first part", app.stdin.Load())
		}
		pw.Write(bytes.Repeat([]byte("b"), part))
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", base+"/x.php", pr)
	req.ContentLength = 2 * part
	resp, err := httpClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if seen := app.stdin.Load(); seen != 2*part {
		t.Fatalf("application saw %d STDIN bytes", seen)
	}
	first := make([]byte, 200000)
	start := time.Now()
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the first part came after %v, with the rest", d)
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "end" {
		t.Fatalf("rest %q", rest)
	}
}

// TestHeadContentLength: a HEAD answer keeps the application's
// Content-Length although no body follows, and the connection is given
// back (MaxConns is 1).
func TestHeadContentLength(t *testing.T) {
	root := testRoot(t, "x.php")
	base, _, _ := setup(t, false, root, Config{MaxConns: 1, DialTimeout: 500 * time.Millisecond}, func(r *fakeRequest, w *fakeWriter) {
		if r.params["QUERY_STRING"] == "nolength" {
			w.stdout("Content-Type: text/plain\r\n\r\n")
			return
		}
		if r.params["REQUEST_METHOD"] == "HEAD" {
			w.stdout("Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n")
			return
		}
		w.stdout("Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")
	})
	hc := httpClient(t)
	for i := 0; i < 3; i++ {
		req, _ := http.NewRequest("HEAD", base+"/x.php", nil)
		resp, body, err := do(t, hc, req)
		if err != nil || resp.StatusCode != 200 || resp.ContentLength != 5 || body != "" {
			t.Fatalf("HEAD: %v %d %d %q", err, resp.StatusCode, resp.ContentLength, body)
		}
		if _, body := get(t, hc, base+"/x.php"); body != "hello" {
			t.Fatalf("GET after HEAD: %q", body)
		}
		req, _ = http.NewRequest("HEAD", base+"/x.php?nolength", nil)
		if resp, body, err := do(t, hc, req); err != nil || resp.StatusCode != 200 || body != "" {
			t.Fatalf("HEAD without a length: %v %d %q", err, resp.StatusCode, body)
		}
	}
}

// TestHeaderSentBeforeBody: once the CGI header has come, the client gets
// the response head without waiting for the body, even with STDERR
// records after the header.
func TestHeaderSentBeforeBody(t *testing.T) {
	root := testRoot(t, "x.php")
	release := make(chan struct{})
	base, _, _ := setup(t, false, root, Config{}, func(r *fakeRequest, w *fakeWriter) {
		w.stdout("Content-Type: text/plain\r\nX-Early: yes\r\n\r\nfirst ")
		w.stderr("working\n")
		w.flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		w.stdout("last")
	})
	start := time.Now()
	resp, err := httpClient(t).Get(base + "/x.php")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if d := time.Since(start); d > 5*time.Second || resp.Header.Get("X-Early") != "yes" {
		t.Fatalf("head after %v: %v", d, resp.Header)
	}
	close(release)
	if b, _ := io.ReadAll(resp.Body); string(b) != "first last" {
		t.Fatalf("%q", b)
	}
}

// TestClientGone: when the client closes its connection while the
// application is still working, the wait ends at once, the connection to
// the application is closed, and its slot is free for the next request.
func TestClientGone(t *testing.T) {
	root := testRoot(t, "x.php")
	release := make(chan struct{})
	defer close(release)
	base, _, log := setup(t, false, root, Config{MaxConns: 1, DialTimeout: 2 * time.Second, ReadTimeout: 30 * time.Second}, func(r *fakeRequest, w *fakeWriter) {
		if r.params["QUERY_STRING"] == "slow" {
			select {
			case <-release:
			case <-time.After(20 * time.Second):
			}
		}
		w.stdout("Content-Type: text/plain\r\n\r\nok")
	})
	nc, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(nc, "GET /x.php?slow HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond)
	nc.Close()
	start := time.Now()
	for log.count("fastcgi: client gone, request abandoned") == 0 {
		if time.Since(start) > 5*time.Second {
			t.Fatal("the request was not abandoned")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp, body := get(t, httpClient(t), base+"/x.php"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("next request: %d %q", resp.StatusCode, body)
	}
}

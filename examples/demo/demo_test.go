package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/tlsutil"
	"github.com/volthttp/volt/websocket"
)

func TestDemoPages(t *testing.T) {
	d, base := startDemo(t)

	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, index := get("/")
	if code != 200 {
		t.Fatalf("index: %d", code)
	}
	for _, p := range newDemo().pages {
		if !strings.Contains(index, `href="`+p.path+`"`) {
			t.Errorf("index does not link to %s", p.path)
		}
	}
	if _, body := get("/hello"); body != "Hello, World!" {
		t.Errorf("hello: %q", body)
	}
	if code, body := get("/stream"); code != 200 || !strings.Contains(body, "line 10 of 10") {
		t.Errorf("stream: %d %q", code, body)
	}
	resp, err := http.Post(base+"/echo", "text/x-demo", strings.NewReader("ping"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ping" || resp.Header.Get("Content-Type") != "text/x-demo" {
		t.Errorf("echo: %q %q", b, resp.Header.Get("Content-Type"))
	}
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	w.WriteField("note", "n1")
	fw, _ := w.CreateFormFile("file", "a.txt")
	fw.Write([]byte("abc"))
	w.Close()
	resp, err = http.Post(base+"/upload", w.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	// sha256("abc")
	if !strings.Contains(string(b), "a.txt: 3 bytes, sha256 <code>ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad</code>") ||
		!strings.Contains(string(b), "<code>note</code> = n1") {
		t.Errorf("upload: %s", b)
	}
	if code, body := get("/fetch?path=/hello"); code != 200 || !strings.Contains(body, "200 OK") || !strings.Contains(body, "Hello, World!") {
		t.Errorf("fetch: %d %q", code, body)
	}
	// The static files page: a listing, then a file, compressed.
	if code, body := get("/files/"); code != 200 || !strings.Contains(body, `href="./pages.go"`) {
		t.Errorf("files listing: %d %q", code, body)
	}
	if code, _ := get("/files"); code != 200 {
		t.Errorf("/files: %d (redirect to /files/ expected to be followed)", code)
	}
	req, _ := http.NewRequest("GET", base+"/files/pages.go", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("files/pages.go: %v %v", resp.Header, err)
	}
	src, _ := io.ReadAll(zr)
	resp.Body.Close()
	if want, _ := os.ReadFile("pages.go"); !bytes.Equal(src, want) {
		t.Errorf("files/pages.go: %d bytes, want %d", len(src), len(want))
	}
	if code, _ := get("/files/../main.go"); code != 404 {
		t.Errorf("files/../main.go: %d", code)
	}
	// The live page: its stream ticks with consecutive IDs, and a message
	// posted to the feed arrives on it.
	if code, body := get("/live"); code != 200 || !strings.Contains(body, `new EventSource("/live/events")`) {
		t.Errorf("live page: %d", code)
	}
	resp, err = http.Get(base + "/live/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live events: %v", resp.Header)
	}
	var ids []string
	var feed string
	err = sse.ReadEvents(resp.Body, func(ev *sse.Event) error {
		ids = append(ids, ev.ID)
		if len(ids) == 3 {
			go http.Post(base+"/live/say", "application/x-www-form-urlencoded", strings.NewReader("text=hi+all"))
		}
		if ev.Type == "feed" {
			feed = string(ev.Data)
			return io.EOF
		}
		return nil
	})
	if err != io.EOF || feed != "hi all" || ids[0] != "1" || ids[1] != "2" {
		t.Errorf("live events: %v, feed %q, ids %v", err, feed, ids)
	}
	if code, _ := get("/nope"); code != 404 {
		t.Errorf("unknown page: %d", code)
	}
	if code, body := get("/chat"); code != 200 || !strings.Contains(body, `new WebSocket(`) || !strings.Contains(body, "/chat/ws") {
		t.Errorf("chat: %d %q", code, body)
	}
	// Two tabs in the chat room: each line reaches both.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/chat/ws"
	tab1, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Config: websocket.Config{Compression: websocket.Compression{Enabled: true}}})
	if err != nil {
		t.Fatal(err)
	}
	defer tab1.Close()
	tab2, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tab2.Close()
	if !tab1.Compressed() || tab2.Compressed() {
		t.Errorf("compression: %v %v", tab1.Compressed(), tab2.Compressed())
	}
	// Dial returns when the 101 arrives; the server adds a member just
	// after: wait for both before chatting.
	for deadline := time.Now().Add(5 * time.Second); d.chat.size() < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d chat members, want 2", d.chat.size())
		}
	}
	tab1.WriteMessage(websocket.TextMessage, []byte("hello from tab 1"))
	for i, tab := range []*websocket.Conn{tab1, tab2} {
		tab.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, p, err := tab.ReadMessage(); err != nil || string(p) != "hello from tab 1" {
			t.Errorf("tab %d: %q %v", i+1, p, err)
		}
	}
}

func TestDemoTLSCert(t *testing.T) {
	cert, err := loadOrMakeCert("", "")
	if err != nil || len(cert.Certificate) == 0 || cert.Leaf.DNSNames[0] != "localhost" {
		t.Fatalf("self-signed: %v", err)
	}
	if _, err := loadOrMakeCert("missing.pem", "missing.pem"); err == nil {
		t.Fatal("missing files accepted")
	}
}

// TestDemoFetchIsNoOpenProxy checks that the client page fetches only the
// demo's own pages: neither a URL from the query nor the Host header can
// send it elsewhere.
func TestDemoFetchIsNoOpenProxy(t *testing.T) {
	var hits atomic.Int32
	other, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	otherSrv := &volt.Server{Handler: func(ctx *volt.RequestCtx) { hits.Add(1); ctx.WriteString("internal secret") }}
	go otherSrv.Serve(other)
	defer otherSrv.Close()

	_, base := startDemo(t)

	get := func(target, host string) (int, string) {
		req, _ := http.NewRequest("GET", base+target, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct{ target, host string }{
		{"/fetch?url=http://" + other.Addr().String() + "/", ""},
		{"/fetch?url=http://127.0.0.1:22/", ""},
		{"/fetch?url=", other.Addr().String()},
		{"/fetch?path=/hello", other.Addr().String()},
		{"/fetch?path=//" + other.Addr().String() + "/", ""},
		{"/fetch?path=http://" + other.Addr().String() + "/", ""},
		{"/fetch?path=@" + other.Addr().String() + "/", ""},
	} {
		_, body := get(tc.target, tc.host)
		if strings.Contains(body, "internal secret") || strings.Contains(body, "connection refused") {
			t.Errorf("%s (Host %q): fetched elsewhere: %.300q", tc.target, tc.host, body)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
	if code, body := get("/fetch?path=/hello", ""); code != 200 || !strings.Contains(body, "200 OK") || !strings.Contains(body, "Hello, World!") {
		t.Errorf("fetch of /hello: %d %.300q", code, body)
	}
}

// TestDemoFetchOverTLS checks the client page of a demo served over TLS:
// it fetches from itself, trusting its own certificate only.
func TestDemoFetchOverTLS(t *testing.T) {
	cert, err := loadOrMakeCert("", "")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := tlsutil.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		trust  *tls.Certificate
		expect string
	}{
		{"its own certificate", &cert, "Hello, World!"},
		{"another certificate is refused", &other, "not the demo&#39;s own certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			d := newDemo()
			defer d.live.close()
			d.client = newFetchClient(tc.trust)
			srv := newServer(d.serve)
			srv.TLSConfig = tlsutil.ServerConfig(cert)
			go srv.ServeTLS(ln, "", "")
			defer srv.Close()
			hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
			defer hc.CloseIdleConnections()
			resp, err := hc.Get("https://" + ln.Addr().String() + "/fetch?path=/hello")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), tc.expect) {
				t.Errorf("want %q in %.600q", tc.expect, b)
			}
		})
	}
}

// TestDemoServesHTTP2OverTLS: over TLS the demo speaks HTTP/2 (ALPN h2),
// and its pages say so; over plain http they say http/1.1.
func TestDemoServesHTTP2OverTLS(t *testing.T) {
	cert, err := loadOrMakeCert("", "")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := newDemo()
	defer d.live.close()
	srv := newServer(d.serve)
	srv.TLSConfig = tlsutil.ServerConfig(cert)
	go srv.ServeTLS(ln, "", "")
	defer srv.Close()
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.ProtoMajor != 2 || !strings.Contains(string(b), "served over <b id=proto>h2</b>") {
		t.Errorf("%s: %.300q", resp.Proto, b)
	}
	_, base := startDemo(t)
	resp, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "served over <b id=proto>http/1.1</b>") {
		t.Errorf("%.300q", b)
	}
}

func TestDemoServerHasTimeouts(t *testing.T) {
	s := newServer(func(*volt.RequestCtx) {})
	if s.HeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxRequestBodySize != 64<<20 {
		t.Errorf("%+v", s)
	}
}

// startDemo serves the demo on a loopback port until the test ends and
// returns it with its base URL.
func startDemo(t *testing.T) (*demo, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := newDemo()
	srv := &volt.Server{Handler: d.serve}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		d.live.close()
	})
	return d, "http://" + ln.Addr().String()
}

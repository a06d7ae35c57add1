package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

func TestDemoPages(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &volt.Server{Handler: newDemo().serve}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

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
	if code, body := get("/fetch?url=" + base + "/hello"); code != 200 || !strings.Contains(body, "200 OK") || !strings.Contains(body, "Hello, World!") {
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
	if code, _ := get("/nope"); code != 404 {
		t.Errorf("unknown page: %d", code)
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

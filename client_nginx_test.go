package volt

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/interop"
)

// startNginx writes testdata/nginx/nginx.conf and the files of
// testdata/nginx/html into a temporary directory, adds generated files
// (extra, by name), starts nginx on a free loopback port and stops it
// when the test ends. It returns the address and the directory.
func startNginx(t *testing.T, extra map[string][]byte) (addr, dir string) {
	t.Helper()
	interop.Program(t, "nginx")
	dir = t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "html"), os.DirFS("testdata/nginx/html")); err != nil {
		t.Fatal(err)
	}
	for name, b := range extra {
		if err := os.WriteFile(filepath.Join(dir, "html", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return interop.StartNginx(t, "testdata/nginx/nginx.conf", dir), dir
}

// TestClientNginx runs the client against nginx: static files come back
// byte for byte, an SSI page chunked, a gzip response decompresses to the
// file, 100 requests share one keep-alive connection, HEAD has no body,
// and a missing file is a 404.
func TestClientNginx(t *testing.T) {
	big := make([]byte, 1<<20+123) // over the read buffer, odd length
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	text := []byte(strings.Repeat("a line of text that compresses well\n", 2000))
	addr, dir := startNginx(t, map[string][]byte{"big.bin": big, "text.txt": text, "empty.txt": nil})
	base := "http://" + addr

	var dials atomic.Int32
	hc := &HostClient{Addr: addr, ConnConfig: ConnConfig{Dial: func(a string) (net.Conn, error) {
		dials.Add(1)
		return net.Dial("tcp", a)
	}}}
	get := func(t *testing.T, method, path string, hdr ...string) *Response {
		t.Helper()
		req, resp := AcquireRequest(), AcquireResponse()
		defer ReleaseRequest(req)
		req.SetRequestURI(base + path)
		req.Header.SetMethod(method)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		if err := hc.DoTimeout(req, resp, 10*time.Second); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return resp
	}

	t.Run("static-files", func(t *testing.T) {
		err := filepath.WalkDir(filepath.Join(dir, "html"), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(p, "/ssi/") {
				return err
			}
			want, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join(dir, "html"), p)
			resp := get(t, "GET", "/"+rel)
			if resp.StatusCode() != 200 || !bytes.Equal(resp.Body(), want) || resp.Header.ContentLength() != int64(len(want)) {
				t.Errorf("/%s: %d, %d bytes (Content-Length %d), want 200 and the file's %d bytes",
					rel, resp.StatusCode(), len(resp.Body()), resp.Header.ContentLength(), len(want))
			}
			ReleaseResponse(resp)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("chunked", func(t *testing.T) {
		// First check on the wire that nginx does answer chunked here.
		raw, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(raw, "GET /ssi/page.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		raw.SetReadDeadline(time.Now().Add(5 * time.Second))
		wire, _ := io.ReadAll(raw)
		raw.Close()
		head, _, _ := strings.Cut(string(wire), "\r\n\r\n")
		if !strings.Contains(strings.ToLower(head), "\r\ntransfer-encoding: chunked") {
			t.Fatalf("nginx did not answer chunked:\n%s", head)
		}

		resp := get(t, "GET", "/ssi/page.html")
		defer ReleaseResponse(resp)
		small, _ := os.ReadFile("testdata/nginx/html/small.txt")
		page, _ := os.ReadFile("testdata/nginx/html/ssi/page.html")
		want := strings.ReplaceAll(string(page), `<!--# include virtual="/small.txt" -->`, string(small))
		if resp.StatusCode() != 200 || string(resp.Body()) != want {
			t.Fatalf("%d %q, want %q", resp.StatusCode(), resp.Body(), want)
		}
		if resp.Header.ContentLength() != -1 || resp.Header.ConnectionClose() {
			t.Fatalf("Content-Length %d, close %v: not a chunked keep-alive answer", resp.Header.ContentLength(), resp.Header.ConnectionClose())
		}
	})

	t.Run("gzip", func(t *testing.T) {
		resp := get(t, "GET", "/gz/text.txt", "Accept-Encoding", "gzip")
		defer ReleaseResponse(resp)
		if ce := string(resp.Header.Peek("Content-Encoding")); ce != "gzip" || resp.Header.ContentLength() != -1 {
			t.Fatalf("Content-Encoding %q, Content-Length %d: want gzip, chunked", ce, resp.Header.ContentLength())
		}
		zr, err := gzip.NewReader(bytes.NewReader(resp.Body()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, text) {
			t.Fatalf("decompressed %d bytes (%v), want the file's %d", len(got), err, len(text))
		}
		if len(resp.Body()) >= len(text)/10 {
			t.Fatalf("%d compressed bytes for %d: gzip off?", len(resp.Body()), len(text))
		}
		plain := get(t, "GET", "/gz/text.txt")
		defer ReleaseResponse(plain)
		if !bytes.Equal(plain.Body(), text) || len(plain.Header.Peek("Content-Encoding")) != 0 {
			t.Fatal("without Accept-Encoding the file must come as it is")
		}
	})

	t.Run("head-and-404", func(t *testing.T) {
		resp := get(t, "HEAD", "/big.bin")
		if resp.StatusCode() != 200 || len(resp.Body()) != 0 || resp.Header.ContentLength() != int64(len(big)) {
			t.Fatalf("HEAD: %d, %d body bytes, Content-Length %d", resp.StatusCode(), len(resp.Body()), resp.Header.ContentLength())
		}
		ReleaseResponse(resp)
		resp = get(t, "GET", "/no/such/file")
		if resp.StatusCode() != 404 || !bytes.Contains(resp.Body(), []byte("404 Not Found")) {
			t.Fatalf("missing file: %d %q", resp.StatusCode(), resp.Body())
		}
		ReleaseResponse(resp)
	})

	t.Run("keep-alive", func(t *testing.T) {
		hc.CloseIdleConnections()
		before := dials.Load()
		paths := []string{"/small.txt", "/big.bin", "/ssi/page.html", "/no/such/file"}
		for i := 0; i < 100; i++ {
			method := "GET"
			if i%10 == 9 {
				method = "HEAD"
			}
			ReleaseResponse(get(t, method, paths[i%len(paths)]))
		}
		if n := dials.Load() - before; n != 1 {
			t.Fatalf("100 requests used %d connections, want 1", n)
		}
	})

	t.Run("client-redirect", func(t *testing.T) {
		// nginx redirects a directory named without its slash (301); this
		// one has no index, so the end is a 403.
		var c Client
		defer c.CloseIdleConnections()
		req, resp := AcquireRequest(), AcquireResponse()
		defer ReleaseRequest(req)
		defer ReleaseResponse(resp)
		req.SetRequestURI(base + "/ssi")
		if err := c.DoRedirects(req, resp, 3); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode() != 403 || string(req.URI().Path()) != "/ssi/" {
			t.Fatalf("%d at %s, want 403 at /ssi/", resp.StatusCode(), req.URI().Path())
		}
		if status, body, err := c.Get(nil, base+"/"); err != nil || status != 200 || !bytes.Contains(body, []byte("volt nginx interop")) {
			t.Fatalf("index: %d %q %v", status, body, err)
		}
	})
}

package fastcgi

import (
	"log/slog"

	"bytes"
	"crypto/md5"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/interop"
)

var phpScripts = map[string]string{
	"get.php":       `<?php header('Content-Type: text/plain'); echo "q=", $_GET['q'], " uri=", $_SERVER['REQUEST_URI'], " script=", $_SERVER['SCRIPT_NAME'], " pi=", $_SERVER['PATH_INFO'] ?? '', " proxy=", getenv('HTTP_PROXY') ?: '-';`,
	"post.php":      `<?php echo "name=", $_POST['name'], " n=", count($_POST);`,
	"upload.php":    `<?php $f = $_FILES['file']; echo $f['error'], " ", $f['name'], " ", $f['size'], " ", md5_file($f['tmp_name']), " ", $_POST['note'];`,
	"redirect.php":  `<?php header('Location: http://example.com/next?x=1');`,
	"local.php":     `<?php header('Location: /get.php?q=local');`,
	"teapot.php":    `<?php http_response_code(418); echo "short and stout";`,
	"log.php":       `<?php error_log("hello from php"); echo "logged";`,
	"big.php":       `<?php header('Content-Type: application/octet-stream'); for ($i = 0; $i < 64; $i++) { echo str_repeat(chr(65 + $i % 26), 16384); flush(); }`,
	"sub/index.php": `<?php echo "index of sub";`,
	"stall.php":     `<?php sleep(3); echo "late";`,
	"flood.php":     `<?php for ($i = 0; $i < 2000; $i++) { error_log("flood line $i"); } echo "flooded";`,
}

// writePHPScripts writes phpScripts into a new document root.
func writePHPScripts(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name, src := range phpScripts {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestPHPFPM serves PHP scripts through php-fpm over a Unix socket and
// over TCP: GET with a query, a urlencoded form, a multipart upload, a
// redirect, a custom status, error_log reaching the logger, a streamed
// body, a directory index, and connections reused.
func TestPHPFPM(t *testing.T) {
	unixAddr, tcpAddr := interop.StartPHPFPM(t)
	root := writePHPScripts(t)
	for _, addr := range []string{unixAddr, tcpAddr} {
		t.Run(strings.SplitN(addr, ":", 2)[0], func(t *testing.T) {
			log := &logRecorder{}
			c := newTestClient(t, Config{Addr: addr, Root: root, Logger: slog.New(log), MaxConns: 2})
			base := serve(t, &volt.Server{Handler: c.Handler, StreamRequestBody: true, MaxRequestBodySize: 16 << 20, Logger: slog.New(log)})
			hc := httpClient(t)

			req, _ := http.NewRequest("GET", base+"/get.php/more?q=hello%20world", nil)
			req.Header.Set("Proxy", "http://evil:1")
			resp, body, err := do(t, hc, req)
			if want := "q=hello world uri=/get.php/more?q=hello%20world script=/get.php pi=/more proxy=-"; err != nil || resp.StatusCode != 200 || body != want || resp.Header.Get("Content-Type") != "text/plain;charset=UTF-8" {
				t.Errorf("GET: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}

			resp, err = hc.PostForm(base+"/post.php", url.Values{"name": {"volt & php"}, "b": {"2"}})
			if err != nil {
				t.Fatal(err)
			}
			b := readBody(t, resp)
			if b != "name=volt & php n=2" {
				t.Errorf("POST form: %d %q", resp.StatusCode, b)
			}

			file := bytes.Repeat([]byte("upload-data-"), 100000)
			var mp bytes.Buffer
			mw := multipart.NewWriter(&mp)
			fw, _ := mw.CreateFormFile("file", "data.bin")
			fw.Write(file)
			mw.WriteField("note", "hi")
			mw.Close()
			resp, err = hc.Post(base+"/upload.php", mw.FormDataContentType(), &mp)
			if err != nil {
				t.Fatal(err)
			}
			if b, want := readBody(t, resp), fmt.Sprintf("0 data.bin %d %x hi", len(file), md5.Sum(file)); b != want {
				t.Errorf("upload: %d %q, want %q", resp.StatusCode, b, want)
			}

			if resp, _ := get(t, hc, base+"/redirect.php"); resp.StatusCode != 302 || resp.Header.Get("Location") != "http://example.com/next?x=1" {
				t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if resp, _ := get(t, hc, base+"/local.php"); resp.StatusCode != 302 || resp.Header.Get("Location") != "/get.php?q=local" {
				t.Errorf("local redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if resp, body := get(t, hc, base+"/teapot.php"); resp.StatusCode != 418 || body != "short and stout" {
				t.Errorf("teapot: %d %q", resp.StatusCode, body)
			}
			if resp, body := get(t, hc, base+"/log.php"); resp.StatusCode != 200 || body != "logged" {
				t.Errorf("log: %d %q", resp.StatusCode, body)
			}
			if lines := log.attrs("fastcgi: stderr", "line"); len(lines) == 0 || !strings.Contains(lines[0], "hello from php") {
				t.Errorf("stderr lines: %q", lines)
			}
			if resp, body := get(t, hc, base+"/big.php"); resp.StatusCode != 200 || len(body) != 64*16384 || body[16384] != 'B' {
				t.Errorf("big: %d %d", resp.StatusCode, len(body))
			}
			if _, body := get(t, hc, base+"/sub/"); body != "index of sub" {
				t.Errorf("index: %q", body)
			}
			if resp, _ := get(t, hc, base+"/missing.php"); resp.StatusCode != 404 {
				t.Errorf("missing: %d", resp.StatusCode)
			}
			for i := 0; i < 50; i++ {
				if _, body := get(t, hc, base+"/teapot.php"); body != "short and stout" {
					t.Fatalf("request %d: %q", i, body)
				}
			}
			c.mu.Lock()
			idle := len(c.idle)
			c.mu.Unlock()
			if idle == 0 {
				t.Error("php-fpm did not keep the connection (FCGI_KEEP_CONN)")
			}
			if n := log.count("fastcgi: request failed") + log.count("fastcgi: response cut"); n != 0 {
				t.Errorf("%d errors logged", n)
			}
		})
	}
}

// TestPHPFPMStallAndFlood: a PHP script that stalls is answered 504 after
// ReadTimeout, and one that floods STDERR is logged up to MaxStderr;
// requests after both work.
func TestPHPFPMStallAndFlood(t *testing.T) {
	unixAddr, _ := interop.StartPHPFPM(t)
	root := writePHPScripts(t)
	log := &logRecorder{}
	c := newTestClient(t, Config{Addr: unixAddr, Root: root, Logger: slog.New(log), ReadTimeout: 500 * time.Millisecond, MaxStderr: 1000})
	base := serve(t, &volt.Server{Handler: c.Handler, Logger: slog.New(log)})
	hc := httpClient(t)
	start := time.Now()
	if resp, _ := get(t, hc, base+"/stall.php"); resp.StatusCode != 504 {
		t.Errorf("stall: %d", resp.StatusCode)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stall answered after %v", d)
	}
	if resp, body := get(t, hc, base+"/flood.php"); resp.StatusCode != 200 || body != "flooded" {
		t.Errorf("flood: %d %q", resp.StatusCode, body)
	}
	total := 0
	for _, l := range log.attrs("fastcgi: stderr", "line") {
		total += len(l) + 1
	}
	if total == 0 || total > 1000+1 || len(log.attrs("fastcgi: stderr past the limit dropped", "bytes")) != 1 {
		t.Errorf("flood logged %d bytes, dropped %v", total, log.attrs("fastcgi: stderr past the limit dropped", "bytes"))
	}
	if resp, body := get(t, hc, base+"/teapot.php"); resp.StatusCode != 418 || body != "short and stout" {
		t.Errorf("after: %d %q", resp.StatusCode, body)
	}
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

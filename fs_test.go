package volt

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/volthttp/volt/internal/memconn"
)

const secretContent = "TOP SECRET: outside the root"

// fsFixture makes a directory with the root served and, beside it, a
// secret file no request may read. It returns the root.
//
//	dir/secret              (outside the root)
//	dir/root/hello.txt      "Hello, files!"
//	dir/root/page.html      textBody (compressible)
//	dir/root/big.txt        200 KiB of text, above fsSmallFileSize
//	dir/root/image.png      binary
//	dir/root/README         text without extension
//	dir/root/blob           binary without extension
//	dir/root/100%.txt       a name with '%'
//	dir/root/a <&> "b".txt  a name that needs escaping
//	dir/root/sub/index.html
//	dir/root/empty/         a directory without index
//	dir/root/.env, dir/root/.git/config, dir/root/sub/.hidden
//	dir/root/.well-known/security.txt
func fsFixture(t testing.TB) (root, secret string) {
	t.Helper()
	dir := t.TempDir()
	root = filepath.Join(dir, "root")
	secret = filepath.Join(dir, "secret")
	write := func(name, content string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(secret, []byte(secretContent), 0o644); err != nil {
		t.Fatal(err)
	}
	write("hello.txt", "Hello, files!")
	write("page.html", textBody)
	write("big.txt", bigText)
	write("image.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"+strings.Repeat("\x00", 2000))
	write("README", "Read me first.\n")
	write("blob", "\x00\x01\x02\x03binary")
	write("100%.txt", "percent")
	write(`a <&> "b".txt`, "escaped")
	write("sub/index.html", "<p>sub index</p>")
	write("sub/.hidden", "hidden")
	write(".env", "PASSWORD="+secretContent)
	write(".git/config", secretContent)
	write(".well-known/security.txt", "Contact: mailto:security@example.com")
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root, secret
}

var bigText = strings.Repeat("0123456789abcdef volt serves big files with sendfile\n", 4000) // 212,000 bytes

// fsServer serves f on an in-memory listener.
func fsServer(t testing.TB, f *FS) *memconn.Listener {
	t.Helper()
	return testServer(t, &Server{Handler: f.Handler(), Logger: discardLogger()})
}

func TestFSServesFiles(t *testing.T) {
	root, _ := fsFixture(t)
	ln := fsServer(t, &FS{Root: root})
	cases := []struct {
		path, ct, body string
	}{
		{"/hello.txt", "text/plain; charset=utf-8", "Hello, files!"},
		{"/page.html", "text/html; charset=utf-8", textBody},
		{"/big.txt", "text/plain; charset=utf-8", bigText},
		{"/README", "text/plain; charset=utf-8", "Read me first.\n"},
		{"/blob", "application/octet-stream", "\x00\x01\x02\x03binary"},
		{"/100%25.txt", "text/plain; charset=utf-8", "percent"},
		{"/a%20%3C&%3E%20%22b%22.txt", "text/plain; charset=utf-8", "escaped"},
		{"/sub/", "text/html; charset=utf-8", "<p>sub index</p>"},
		{"/sub/index.html", "text/html; charset=utf-8", "<p>sub index</p>"},
		{"/.well-known/security.txt", "text/plain; charset=utf-8", "Contact: mailto:security@example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := roundTrip(t, ln, request("GET", tc.path))
			if resp.StatusCode != 200 || string(body) != tc.body {
				t.Fatalf("GET: %d %q", resp.StatusCode, body[:min(len(body), 60)])
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.ct {
				t.Fatalf("Content-Type %q, want %q", ct, tc.ct)
			}
			if resp.ContentLength != int64(len(tc.body)) {
				t.Fatalf("Content-Length %d", resp.ContentLength)
			}
			etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if !strings.HasPrefix(etag, `"`) || lm == "" {
				t.Fatalf("validators: ETag %q Last-Modified %q", etag, lm)
			}
			// RFC 9110 section 9.3.2: HEAD gets GET's head without content.
			head, hbody := roundTrip(t, ln, request("HEAD", tc.path))
			if head.StatusCode != 200 || len(hbody) != 0 || head.ContentLength != int64(len(tc.body)) ||
				head.Header.Get("ETag") != etag || head.Header.Get("Content-Type") != tc.ct {
				t.Fatalf("HEAD: %d %v, %d body bytes", head.StatusCode, head.Header, len(hbody))
			}
		})
	}
}

func TestFSStatuses(t *testing.T) {
	root, _ := fsFixture(t)
	ln := fsServer(t, &FS{Root: root})
	cases := []struct {
		raw    string
		status int
		check  func(*http.Response, []byte) bool
	}{
		{request("GET", "/missing.txt"), 404, nil},
		{request("GET", "/hello.txt/"), 404, nil},
		{request("GET", "/hello.txt/x"), 404, nil},
		{request("GET", "/empty/"), 403, nil},
		{request("GET", "/sub"), 301, func(r *http.Response, _ []byte) bool { return r.Header.Get("Location") == "/sub/" }},
		{request("GET", "/sub?x=1"), 301, func(r *http.Response, _ []byte) bool { return r.Header.Get("Location") == "/sub/?x=1" }},
		{request("GET", "/empty"), 301, func(r *http.Response, _ []byte) bool { return r.Header.Get("Location") == "/empty/" }},
		{request("POST", "/hello.txt", "Content-Length: 0"), 405, func(r *http.Response, _ []byte) bool { return r.Header.Get("Allow") == "GET, HEAD" }},
		{request("DELETE", "/hello.txt"), 405, nil},
		{request("GET", "/.env"), 404, nil},
		{request("GET", "/sub/.hidden"), 404, nil},
	}
	for _, tc := range cases {
		t.Run(strings.Fields(tc.raw)[0]+strings.Fields(tc.raw)[1], func(t *testing.T) {
			resp, body := roundTrip(t, ln, tc.raw)
			if resp.StatusCode != tc.status || tc.check != nil && !tc.check(resp, body) {
				t.Fatalf("%d %v %q", resp.StatusCode, resp.Header, body)
			}
		})
	}
}

func TestFSOptions(t *testing.T) {
	root, _ := fsFixture(t)
	t.Run("StripPrefix-CacheControl-PathNotFound", func(t *testing.T) {
		ln := fsServer(t, &FS{
			Root:        root,
			PathRewrite: StripPrefix("/static/"),
			CacheControl: func(p []byte) string {
				if bytes.HasSuffix(p, []byte(".html")) {
					return "no-cache"
				}
				return "public, max-age=3600"
			},
			PathNotFound: func(ctx *RequestCtx) {
				ctx.SetStatusCode(StatusNotFound)
				ctx.WriteString("custom 404")
			},
		})
		resp, body := roundTrip(t, ln, request("GET", "/static/hello.txt"))
		if resp.StatusCode != 200 || string(body) != "Hello, files!" || resp.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Fatalf("%d %q %v", resp.StatusCode, body, resp.Header)
		}
		if resp, _ := roundTrip(t, ln, request("GET", "/static/page.html")); resp.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("Cache-Control for .html: %q", resp.Header.Get("Cache-Control"))
		}
		for _, p := range []string{"/hello.txt", "/staticx/hello.txt", "/static/missing"} {
			if resp, body := roundTrip(t, ln, request("GET", p)); resp.StatusCode != 404 || string(body) != "custom 404" {
				t.Fatalf("%s: %d %q", p, resp.StatusCode, body)
			}
		}
		// The redirect to a directory keeps the prefix the client sent.
		if resp, _ := roundTrip(t, ln, request("GET", "/static/sub")); resp.Header.Get("Location") != "/static/sub/" {
			t.Fatalf("Location %q", resp.Header.Get("Location"))
		}
	})
	t.Run("IndexNames", func(t *testing.T) {
		os.WriteFile(filepath.Join(root, "empty", "default.htm"), []byte("default"), 0o644)
		ln := fsServer(t, &FS{Root: root, IndexNames: []string{"index.html", "default.htm"}})
		if _, body := roundTrip(t, ln, request("GET", "/empty/")); string(body) != "default" {
			t.Fatalf("%q", body)
		}
		ln = fsServer(t, &FS{Root: root, IndexNames: []string{}})
		if resp, _ := roundTrip(t, ln, request("GET", "/sub/")); resp.StatusCode != 403 {
			t.Fatalf("no index names: %d", resp.StatusCode)
		}
	})
	t.Run("AllowHidden", func(t *testing.T) {
		ln := fsServer(t, &FS{Root: root, AllowHidden: true})
		if resp, body := roundTrip(t, ln, request("GET", "/sub/.hidden")); resp.StatusCode != 200 || string(body) != "hidden" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
	})
	t.Run("FileSystem", func(t *testing.T) {
		ln := fsServer(t, &FS{FileSystem: os.DirFS(root)})
		if _, body := roundTrip(t, ln, request("GET", "/sub/")); string(body) != "<p>sub index</p>" {
			t.Fatalf("%q", body)
		}
	})
	t.Run("missing-root", func(t *testing.T) {
		ln := fsServer(t, &FS{Root: filepath.Join(root, "nope")})
		if resp, _ := roundTrip(t, ln, request("GET", "/hello.txt")); resp.StatusCode != 500 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
}

// TestFSCompress: the variant the client prefers, built once, with its
// own ETag; uncompressible types and ranges are sent as they are.
func TestFSCompress(t *testing.T) {
	root, _ := fsFixture(t)
	ln := fsServer(t, &FS{Root: root, Compress: true, AcceptByteRange: true})
	identity, _ := roundTrip(t, ln, request("GET", "/page.html"))
	if identity.Header.Get("Content-Encoding") != "" || identity.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("identity: %v", identity.Header)
	}
	for _, enc := range []string{"br", "zstd", "gzip", "deflate"} {
		for _, path := range []string{"/page.html", "/big.txt"} {
			resp, body := roundTrip(t, ln, request("GET", path, "Accept-Encoding: "+enc))
			if resp.Header.Get("Content-Encoding") != enc || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Fatalf("%s %s: %v", path, enc, resp.Header)
			}
			want := textBody
			if path == "/big.txt" {
				want = bigText
			}
			if got := decode(t, enc, body); string(got) != want || resp.ContentLength != int64(len(body)) {
				t.Fatalf("%s %s: decoded %d bytes, Content-Length %d", path, enc, len(got), resp.ContentLength)
			}
			etag := resp.Header.Get("ETag")
			if !strings.HasSuffix(etag, "-"+enc+`"`) {
				t.Fatalf("ETag %q", etag)
			}
			// The variant's own tag revalidates it.
			if r, _ := roundTrip(t, ln, request("GET", path, "Accept-Encoding: "+enc, "If-None-Match: "+etag)); r.StatusCode != 304 {
				t.Fatalf("If-None-Match on the %s variant: %d", enc, r.StatusCode)
			}
			head, hb := roundTrip(t, ln, request("HEAD", path, "Accept-Encoding: "+enc))
			if len(hb) != 0 || head.ContentLength != int64(len(body)) || head.Header.Get("ETag") != etag {
				t.Fatalf("HEAD %s %s: %v", path, enc, head.Header)
			}
		}
	}
	if resp, _ := roundTrip(t, ln, request("GET", "/image.png", "Accept-Encoding: gzip")); resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("Vary") != "" {
		t.Fatalf("image: %v", resp.Header)
	}
	if resp, _ := roundTrip(t, ln, request("GET", "/hello.txt", "Accept-Encoding: gzip")); resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("13-byte file compressed: %v", resp.Header)
	}
	resp, body := roundTrip(t, ln, request("GET", "/page.html", "Accept-Encoding: gzip", "Range: bytes=0-9"))
	if resp.StatusCode != 206 || resp.Header.Get("Content-Encoding") != "" || string(body) != textBody[:10] {
		t.Fatalf("range with Accept-Encoding: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	// Directory listings are compressed on the fly.
	lnList := fsServer(t, &FS{Root: root, Compress: true, GenerateIndexPages: true, CompressOptions: &CompressOptions{MinSize: -1}})
	resp, body = roundTrip(t, lnList, request("GET", "/", "Accept-Encoding: gzip"))
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(string(decode(t, "gzip", body)), "hello.txt") {
		t.Fatalf("listing: %v", resp.Header)
	}
}

// TestFSAcceptEncodingFieldLines: RFC 9110 section 5.3, FS negotiates
// Accept-Encoding sent over several lines as one list, for a file kept in
// memory and for a larger one.
func TestFSAcceptEncodingFieldLines(t *testing.T) {
	root, _ := fsFixture(t)
	ln := fsServer(t, &FS{Root: root, Compress: true})
	for _, tc := range acceptEncodingLineCases {
		for _, f := range []struct{ path, body string }{{"/page.html", textBody}, {"/big.txt", bigText}} {
			t.Run(tc.name+f.path, func(t *testing.T) {
				resp, body := roundTrip(t, ln, request("GET", f.path, acceptEncodingLines(tc.lines)...))
				want := ""
				if tc.want != encIdentity {
					want = encodingNames[tc.want]
				}
				if got := resp.Header.Get("Content-Encoding"); got != want || resp.Header.Get("Vary") != "Accept-Encoding" {
					t.Fatalf("lines %q: Content-Encoding %q, want %q (Vary %q)", tc.lines, got, want, resp.Header.Get("Vary"))
				}
				if got := decode(t, want, body); string(got) != f.body {
					t.Fatalf("lines %q: decoded %d bytes, want %d", tc.lines, len(got), len(f.body))
				}
			})
		}
	}
}

// TestFSLargeFileFlatMemory serves a 1 GiB sparse file over TCP and checks
// that the server's heap does not grow with it: the body goes out with
// sendfile (or a bounded buffer), never through memory whole.
func TestFSLargeFileFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1 GiB over loopback")
	}
	dir := t.TempDir()
	const size = 1 << 30
	f, err := os.Create(filepath.Join(dir, "sparse.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	addr := testTCPServer(t, &Server{Handler: (&FS{Root: dir, Compress: true}).Handler(), Logger: discardLogger()})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	io.WriteString(c, request("GET", "/sparse.bin", "Accept-Encoding: gzip"))
	// Read the head, then count the body while sampling the heap.
	head := make([]byte, 0, 512)
	one := make([]byte, 1)
	for !bytes.HasSuffix(head, []byte("\r\n\r\n")) {
		if _, err := c.Read(one); err != nil {
			t.Fatal(err)
		}
		head = append(head, one[0])
	}
	if !bytes.Contains(head, []byte("Content-Length: "+strconv.Itoa(size))) || !bytes.HasPrefix(head, []byte("HTTP/1.1 200")) {
		t.Fatalf("head %q", head)
	}
	buf := make([]byte, 1<<20)
	var n int64
	var peak uint64
	var ms runtime.MemStats
	for n < size {
		m, err := c.Read(buf)
		n += int64(m)
		if err != nil {
			t.Fatalf("after %d bytes: %v", n, err)
		}
		if n%(64<<20) < int64(m) {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	runtime.ReadMemStats(&ms)
	grew := int64(peak) - int64(before.HeapInuse)
	alloc := ms.TotalAlloc - before.TotalAlloc
	t.Logf("1 GiB sent: heap in use %d MiB before, peak %d MiB; %d MiB allocated meanwhile", before.HeapInuse>>20, peak>>20, alloc>>20)
	if grew > 32<<20 || alloc > 64<<20 {
		t.Fatalf("serving 1 GiB grew the heap by %d MiB and allocated %d MiB", grew>>20, alloc>>20)
	}
}

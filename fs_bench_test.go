package volt

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// fsBenchCases are the requests of the FS benchmarks and allocation
// tests, served from fsFixture with Compress and AcceptByteRange on.
var fsBenchCases = []struct {
	name, req string
	status    int
}{
	{"small", "GET /page.html HTTP/1.1\r\nHost: h\r\nAccept-Encoding: identity\r\n\r\n", 200},
	{"small-gzip", "GET /page.html HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate\r\n\r\n", 200},
	{"small-br", "GET /page.html HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n", 200},
	{"not-modified", "GET /page.html HTTP/1.1\r\nHost: h\r\nIf-None-Match: ETAG\r\n\r\n", 304},
	{"range", "GET /page.html HTTP/1.1\r\nHost: h\r\nRange: bytes=100-1099\r\n\r\n", 206},
	{"head", "HEAD /page.html HTTP/1.1\r\nHost: h\r\n\r\n", 200},
	{"index", "GET /sub/ HTTP/1.1\r\nHost: h\r\n\r\n", 200},
}

// fsExchange prepares a keep-alive connection to an FS over c for req
// (with ETAG replaced by the file's entity-tag) and returns a function
// that sends it and reads the whole response without allocating.
func fsExchange(tb testing.TB, c net.Conn, req string, status int) func() {
	tb.Helper()
	if bytes.Contains([]byte(req), []byte("ETAG")) {
		io.WriteString(c, "HEAD /page.html HTTP/1.1\r\nHost: h\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "HEAD"})
		if err != nil {
			tb.Fatal(err)
		}
		req = string(bytes.Replace([]byte(req), []byte("ETAG"), []byte(resp.Header.Get("ETag")), 1))
	}
	raw := []byte(req)
	// Measure the response once: every later one has the same length (the
	// Date header has a fixed width).
	var rec recordingConn
	rec.Conn = c
	if _, err := c.Write(raw); err != nil {
		tb.Fatal(err)
	}
	r := &http.Request{Method: string(raw[:bytes.IndexByte(raw, ' ')])}
	resp, err := http.ReadResponse(bufio.NewReaderSize(&rec, 64), r)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != status {
		tb.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
	buf := make([]byte, rec.n)
	return func() {
		if _, err := c.Write(raw); err != nil {
			tb.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			tb.Fatal(err)
		}
	}
}

// recordingConn counts the bytes read through it.
type recordingConn struct {
	net.Conn
	n int
}

func (r *recordingConn) Read(p []byte) (int, error) {
	// One byte at a time, so that nothing of a next response is read.
	n, err := r.Conn.Read(p[:1])
	r.n += n
	return n, err
}

func BenchmarkFS(b *testing.B) {
	root, _ := fsFixture(b)
	ln := fsServer(b, &FS{Root: root, Compress: true, AcceptByteRange: true})
	for _, bc := range fsBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			c := dial(b, ln)
			c.SetDeadline(time.Time{})
			exchange := fsExchange(b, c, bc.req, bc.status)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				exchange()
			}
		})
	}
}

func BenchmarkFSLookup(b *testing.B) {
	root, _ := fsFixture(b)
	f := &FS{Root: root}
	f.Handler()
	name := []byte("page.html")
	now := time.Now()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if e, err := f.h.lookup(name, now); err != nil || e.size != int64(len(textBody)) {
			b.Fatal(err)
		}
	}
}

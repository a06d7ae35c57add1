package volt

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// benchServe measures whole request/response exchanges on one keep-alive
// connection; depth requests are written at once (pipelining).
func benchServe(b *testing.B, c net.Conn, depth int) {
	req := bytes.Repeat([]byte(browserGET), depth)
	buf := make([]byte, 64<<10)
	if _, err := c.Write(req[:len(browserGET)]); err != nil {
		b.Fatal(err)
	}
	respLen, err := c.Read(buf)
	if err != nil || !bytes.HasPrefix(buf, []byte("HTTP/1.1 200 OK")) {
		b.Fatalf("%q %v", buf[:respLen], err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(browserGET)))
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:respLen*depth]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServeInMemory(b *testing.B) {
	ln := testServer(b, &Server{Handler: allocHandler})
	c := dial(b, ln)
	benchServe(b, c, 1)
}

func BenchmarkServeInMemoryPipelined16(b *testing.B) {
	ln := testServer(b, &Server{Handler: allocHandler})
	c := dial(b, ln)
	benchServe(b, c, 16)
}

func BenchmarkServeTCP(b *testing.B) {
	addr := testTCPServer(b, &Server{Handler: allocHandler})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	benchServe(b, c, 1)
}

// browserGET is a keep-alive GET with 10 header fields, as a browser sends.
const browserGET = "GET /api/items?page=2&sort=name HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"Connection: keep-alive\r\n" +
	"sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Cookie: session=0123456789abcdef; theme=dark\r\n" +
	"\r\n"

func allocHandler(ctx *RequestCtx) {
	ctx.SetContentType("application/json")
	if len(ctx.Request.Header.Peek("User-Agent")) == 0 || ctx.QueryArgs().Peek("page") == nil ||
		ctx.Request.Header.Cookie("theme") == nil {
		ctx.SetStatusCode(StatusBadRequest)
	}
	ctx.WriteString(`{"items":[1,2,3],"page":2}`)
}

// BenchmarkServeTCPWithDone measures what RequestCtx.Done costs: the
// handler asks for it, which starts watching the connection for the
// client going away. Compare with BenchmarkServeTCP.
func BenchmarkServeTCPWithDone(b *testing.B) {
	addr := testTCPServer(b, &Server{Handler: func(ctx *RequestCtx) {
		select {
		case <-ctx.Done():
			return
		default:
		}
		allocHandler(ctx)
	}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	benchServe(b, c, 1)
}

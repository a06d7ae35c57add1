package volt

import (
	"bytes"
	"io"
	"testing"
)

// chromeHead is a typical browser request head: Chrome 124 navigating to a
// page, 10 fields, about 600 bytes. BenchmarkParseRequestHead and
// TestParserAllocs parse it; checkChromeHead checks the result.
var chromeHead = []byte("GET /account/orders?page=2&sort=recent HTTP/1.1\r\n" +
	"Host: shop.example.com\r\n" +
	"Connection: keep-alive\r\n" +
	"sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
	"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n" +
	"Sec-Fetch-Site: same-origin\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Cookie: sid=9f8e7d6c5b4a3f2e1d0c; theme=dark; cart=3\r\n" +
	"\r\n")

// checkChromeHead checks a parse of chromeHead without allocating, so that
// the allocation test and the benchmark can call it in their loops.
func checkChromeHead(t testing.TB, h *RequestHeader) {
	if string(h.Method()) != "GET" || string(h.RequestURI()) != "/account/orders?page=2&sort=recent" ||
		!h.IsHTTP11() || h.Len() != 10 || string(h.Host()) != "shop.example.com" ||
		string(h.Peek("Sec-Ch-Ua")) != `"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"` ||
		string(h.Cookie("theme")) != "dark" || h.ConnectionClose() || h.ContentLength() != 0 {
		t.Fatalf("bad parse of chromeHead:\n%s", h.String())
	}
}

func BenchmarkParseRequestHead(b *testing.B) {
	buf := bytes.Clone(chromeHead)
	var h RequestHeader
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		// As the server does: parse the buffered bytes directly.
		n, err := ParseRequestHeader(&h, buf)
		if err != nil || n != len(buf) || h.Len() != 10 {
			b.Fatalf("parseRequestHead = %d, %v", n, err)
		}
	}
	checkChromeHead(b, &h)
}

// chunkedBody is a small chunked request body with a trailer, as a client
// streaming a JSON document sends it; chunkedBodyData is its decoded body.
var (
	chunkedBody = []byte("1a\r\n{\"id\":42,\"name\":\"volt-h1\",\r\n" +
		"1F;part=2\r\n\"tags\":[\"http\",\"fast\",\"tiny!\"]}\r\n" +
		"0\r\n" +
		"X-Checksum: 5f4dcc3b\r\n" +
		"\r\n")
	chunkedBodyData = `{"id":42,"name":"volt-h1","tags":["http","fast","tiny!"]}`
)

// chunkedDecoder decodes chunkedBody again and again into a reused buffer,
// with a reused connReader, chunkedReader and trailer list, as a
// connection does.
type chunkedDecoder struct {
	src      bytes.Reader
	br       connReader
	cr       chunkedReader
	trailers fieldList
	out      []byte
}

func newChunkedDecoder() *chunkedDecoder {
	d := &chunkedDecoder{out: make([]byte, 0, 256)}
	d.br.buf = make([]byte, 4096)
	return d
}

func (d *chunkedDecoder) decode(in []byte) error {
	d.src.Reset(in)
	d.br.src, d.br.r, d.br.w = &d.src, 0, 0
	d.trailers.reset()
	d.cr.reset(&d.br, &defaultParseOptions, &d.trailers)
	d.out = d.out[:0]
	for {
		n, err := d.cr.Read(d.out[len(d.out):cap(d.out)])
		d.out = d.out[:len(d.out)+n]
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (d *chunkedDecoder) check(t testing.TB) {
	if string(d.out) != chunkedBodyData || len(d.trailers.fields) != 1 ||
		string(d.trailers.peek([]byte("x-checksum"))) != "5f4dcc3b" {
		t.Fatalf("decoded %q, trailers %q", d.out, fieldPairs(&d.trailers))
	}
}

func BenchmarkChunkedDecode(b *testing.B) {
	d := newChunkedDecoder()
	b.SetBytes(int64(len(chunkedBody)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.decode(chunkedBody); err != nil || len(d.out) != len(chunkedBodyData) {
			b.Fatalf("decode: %v, %d bytes", err, len(d.out))
		}
	}
	d.check(b)
}

package volt

import (
	"bytes"
	"testing"
)

// nginxResponseHead is a typical response head: nginx serving an HTML page,
// 10 fields, about 500 bytes. BenchmarkParseResponseHead and
// TestResponseParseAllocs parse it; checkNginxResponseHead checks the
// result.
var nginxResponseHead = []byte("HTTP/1.1 200 OK\r\n" +
	"Server: nginx/1.25.4\r\n" +
	"Date: Tue, 14 May 2024 09:21:07 GMT\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Length: 5120\r\n" +
	"Connection: keep-alive\r\n" +
	"Vary: Accept-Encoding\r\n" +
	"Cache-Control: private, max-age=0, must-revalidate\r\n" +
	"Set-Cookie: sid=9f8e7d6c5b4a3f2e1d0c; Path=/; HttpOnly; Secure; SameSite=Lax\r\n" +
	"Strict-Transport-Security: max-age=63072000; includeSubDomains\r\n" +
	"X-Request-Id: 5c1e0b7a-2f43-4d8e-9a61-0f3b2c7d8e91\r\n" +
	"\r\n")

// checkNginxResponseHead checks a parse of nginxResponseHead without
// allocating, so that the allocation test and the benchmark can call it in
// their loops.
func checkNginxResponseHead(t testing.TB, h *ResponseHeader, fr *responseFraming) {
	if h.StatusCode() != StatusOK || fr.http10 || fr.chunked || fr.untilClose || h.ConnectionClose() ||
		h.ContentLength() != 5120 || string(h.ContentType()) != "text/html; charset=utf-8" || h.Len() != 7 ||
		string(h.Peek("X-Request-Id")) != "5c1e0b7a-2f43-4d8e-9a61-0f3b2c7d8e91" ||
		string(h.Peek("Set-Cookie")) != "sid=9f8e7d6c5b4a3f2e1d0c; Path=/; HttpOnly; Secure; SameSite=Lax" {
		t.Fatalf("bad parse of nginxResponseHead: %s", respHeadSummary(h, fr))
	}
}

func BenchmarkParseResponseHead(b *testing.B) {
	buf := bytes.Clone(nginxResponseHead)
	var (
		h       ResponseHeader
		fr      responseFraming
		scratch fieldList
	)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		// As the client does: parse the buffered bytes directly, into the
		// Response's header, through the connection's scratch list.
		n, err := parseResponseHead(&h, &fr, buf, &defaultParseOptions, &scratch)
		if err != nil || n != len(buf) || h.Len() != 7 {
			b.Fatalf("parseResponseHead = %d, %v", n, err)
		}
	}
	checkNginxResponseHead(b, &h, &fr)
}

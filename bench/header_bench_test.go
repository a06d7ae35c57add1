package bench

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
)

// BenchmarkHeaderPeek looks up User-Agent (the 7th of 10 fields) in a
// header parsed from ChromeGET. net/http's Header.Get is there for scale.
func BenchmarkHeaderPeek(b *testing.B) {
	b.Run("impl=volt", func(b *testing.B) {
		var h volt.RequestHeader
		buf := append([]byte(nil), ChromeGET...)
		if _, err := volt.ParseRequestHeader(&h, buf); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if v := h.Peek("User-Agent"); len(v) != len(ChromeUserAgent) {
				b.Fatalf("Peek = %q", v)
			}
		}
	})
	b.Run("impl=fasthttp", func(b *testing.B) {
		var h fasthttp.RequestHeader
		if err := h.Read(bufio.NewReader(bytes.NewReader(ChromeGET))); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if v := h.Peek("User-Agent"); len(v) != len(ChromeUserAgent) {
				b.Fatalf("Peek = %q", v)
			}
		}
	})
	b.Run("impl=nethttp", func(b *testing.B) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(ChromeGET)))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if v := req.Header.Get("User-Agent"); len(v) != len(ChromeUserAgent) {
				b.Fatalf("Get = %q", v)
			}
		}
	})
}

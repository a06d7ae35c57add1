package volt

import (
	"testing"
)

// compressBenchCases are the requests of the CompressHandler benchmarks
// and allocation tests, served by compressTestHandler: a 6,400-byte
// text/html body compressed on every request, and the same refused.
var compressBenchCases = []struct {
	name, req string
}{
	{"gzip", "GET /text HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n"},
	{"br", "GET /text HTTP/1.1\r\nHost: h\r\nAccept-Encoding: br\r\n\r\n"},
	{"zstd", "GET /text HTTP/1.1\r\nHost: h\r\nAccept-Encoding: zstd\r\n\r\n"},
	{"deflate", "GET /text HTTP/1.1\r\nHost: h\r\nAccept-Encoding: deflate\r\n\r\n"},
	{"identity", "GET /text HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"image", "GET /image HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n"},
}

func BenchmarkCompressHandler(b *testing.B) {
	ln := testServer(b, &Server{Handler: CompressHandler(compressTestHandler, nil)})
	for _, bc := range compressBenchCases {
		b.Run(bc.name, func(b *testing.B) {
			exchange := fsExchange(b, dial(b, ln), bc.req, 200)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				exchange()
			}
		})
	}
}

func BenchmarkNegotiateEncoding(b *testing.B) {
	ae := []byte("gzip, deflate, br, zstd")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if negotiateEncoding(ae, allEncodings) != encBrotli {
			b.Fatal("not br")
		}
	}
}

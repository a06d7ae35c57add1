package bench

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
	"github.com/volthttp/volt"
)

// BenchmarkParseRequestHead parses ChromeGET (a 567-byte Chrome GET with
// 10 header fields) into each library's request header type.
//
// Fairness: fasthttp and net/http parse from a *bufio.Reader, volt from a
// byte slice. So that each pays for getting the bytes once, every
// iteration of every implementation starts from a bytes.Reader reset to
// the request: fasthttp and net/http read it through a bufio.Reader (reset
// on it, so not allocated), and volt reads it into its own buffer with one
// Read, as the server's connection reader does. Each therefore copies the
// 567 bytes once per iteration, and volt's in-place header-name
// normalisation always sees the bytes as sent.
func BenchmarkParseRequestHead(b *testing.B) {
	b.Run("impl=volt", func(b *testing.B) {
		var h volt.RequestHeader
		rd := bytes.NewReader(nil)
		buf := make([]byte, 4096)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rd.Reset(ChromeGET)
			n, _ := rd.Read(buf)
			m, err := volt.ParseRequestHeader(&h, buf[:n])
			if err != nil || m != len(ChromeGET) {
				b.Fatalf("ParseRequestHeader = %d, %v", m, err)
			}
		}
	})
	b.Run("impl=fasthttp", func(b *testing.B) {
		var h fasthttp.RequestHeader
		rd := bytes.NewReader(nil)
		br := bufio.NewReaderSize(rd, 4096)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rd.Reset(ChromeGET)
			br.Reset(rd)
			if err := h.Read(br); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=nethttp", func(b *testing.B) {
		rd := bytes.NewReader(nil)
		br := bufio.NewReaderSize(rd, 4096)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			rd.Reset(ChromeGET)
			br.Reset(rd)
			req, err := http.ReadRequest(br)
			if err != nil || req.Method != "GET" {
				b.Fatal(err)
			}
		}
	})
}

// TestParseRequestHeadAgree checks that the three parsers read ChromeGET
// the same way, so that BenchmarkParseRequestHead compares like with like.
func TestParseRequestHeadAgree(t *testing.T) {
	buf := append([]byte(nil), ChromeGET...)
	var vh volt.RequestHeader
	n, err := volt.ParseRequestHeader(&vh, buf)
	if err != nil || n != len(ChromeGET) {
		t.Fatalf("volt: %d, %v", n, err)
	}
	var fh fasthttp.RequestHeader
	if err := fh.Read(bufio.NewReader(bytes.NewReader(ChromeGET))); err != nil {
		t.Fatalf("fasthttp: %v", err)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(ChromeGET)))
	if err != nil {
		t.Fatalf("nethttp: %v", err)
	}
	if vh.Len() != len(ChromeHeaders) {
		t.Errorf("volt: %d fields, want %d", vh.Len(), len(ChromeHeaders))
	}
	for _, kv := range ChromeHeaders {
		got := map[string]string{
			"volt":     string(vh.Peek(kv[0])),
			"fasthttp": string(fh.Peek(kv[0])),
			"nethttp":  req.Header.Get(kv[0]),
		}
		if kv[0] == "Host" {
			got["nethttp"] = req.Host // net/http moves Host out of Header
		}
		for impl, v := range got {
			if v != kv[1] {
				t.Errorf("%s: %s = %q, want %q", impl, kv[0], v, kv[1])
			}
		}
	}
	if string(vh.Method()) != "GET" || string(vh.RequestURI()) != "/plaintext" {
		t.Errorf("volt: %s %s", vh.Method(), vh.RequestURI())
	}
	if string(fh.Method()) != "GET" || string(fh.RequestURI()) != "/plaintext" {
		t.Errorf("fasthttp: %s %s", fh.Method(), fh.RequestURI())
	}
}

// TestChromeGETSize keeps ChromeGET what the benchmarks say it is.
func TestChromeGETSize(t *testing.T) {
	if n := len(ChromeGET); n < 500 || n > 700 {
		t.Errorf("ChromeGET is %d bytes, want about 600", n)
	}
	if len(ChromeHeaders) != 10 {
		t.Errorf("%d headers, want 10", len(ChromeHeaders))
	}
}

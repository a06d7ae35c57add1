package hpack

// Comparison with golang.org/x/net/http2/hpack, which the module already
// requires. Only this test file imports it; the package does not.

import (
	"bytes"
	"testing"

	xhpack "golang.org/x/net/http2/hpack"
)

// TestHuffmanMatchesXNet cross-checks the generated code table: both
// implementations must agree on every symbol's encoding.
func TestHuffmanMatchesXNet(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := []byte{byte(c), byte(c), byte(c)}
		if got, want := AppendHuffmanString(nil, s), xhpack.AppendHuffmanString(nil, string(s)); !bytes.Equal(got, want) {
			t.Fatalf("symbol %d: % x, x/net % x", c, got, want)
		}
	}
}

func BenchmarkXNetEncodeResponse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(fieldsBytes(typicalResponse))
	var buf bytes.Buffer
	e := xhpack.NewEncoder(&buf)
	fields := make([]xhpack.HeaderField, len(typicalResponse))
	for i, f := range typicalResponse {
		fields[i] = xhpack.HeaderField{Name: string(f.Name), Value: string(f.Value)}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		for _, f := range fields {
			if err := e.WriteField(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkXNetDecodeRequestLiterals(b *testing.B) {
	b.ReportAllocs()
	block := encodeRequestBlock()
	b.SetBytes(int64(len(block)))
	n := 0
	d := xhpack.NewDecoder(4096, func(f xhpack.HeaderField) { n++ })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n = 0
		if _, err := d.Write(block); err != nil || n != len(typicalRequest) {
			b.Fatal(n, err)
		}
	}
}

func BenchmarkXNetDecodeRequestIndexed(b *testing.B) {
	b.ReportAllocs()
	e := NewEncoder()
	var block []byte
	for _, f := range typicalRequest {
		block = e.AppendField(block, f)
	}
	d := xhpack.NewDecoder(4096, func(f xhpack.HeaderField) {})
	if _, err := d.Write(block); err != nil {
		b.Fatal(err)
	}
	block = block[:0]
	for _, f := range typicalRequest {
		block = e.AppendField(block, f)
	}
	b.SetBytes(int64(len(block)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := d.Write(block); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkXNetHuffmanEncode(b *testing.B) {
	b.ReportAllocs()
	s := string(huffmanBenchInput)
	b.SetBytes(int64(len(s)))
	buf := make([]byte, 0, 256)
	for i := 0; i < b.N; i++ {
		buf = xhpack.AppendHuffmanString(buf[:0], s)
	}
}

func BenchmarkXNetHuffmanDecode(b *testing.B) {
	b.ReportAllocs()
	enc := AppendHuffmanString(nil, huffmanBenchInput)
	b.SetBytes(int64(len(enc)))
	var buf bytes.Buffer
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if _, err := xhpack.HuffmanDecode(&buf, enc); err != nil {
			b.Fatal(err)
		}
	}
}

package hpack

import "testing"

// typicalResponse is what a server sends for a small response.
var typicalResponse = []HeaderField{
	{Name: []byte(":status"), Value: []byte("200")},
	{Name: []byte("content-type"), Value: []byte("text/html; charset=utf-8")},
	{Name: []byte("content-length"), Value: []byte("1234")},
	{Name: []byte("date"), Value: []byte("Mon, 07 Dec 2026 01:41:07 GMT")},
	{Name: []byte("server"), Value: []byte("volt")},
}

// typicalRequest is what a browser sends for a page: 11 fields.
var typicalRequest = []HeaderField{
	{Name: []byte(":method"), Value: []byte("GET")},
	{Name: []byte(":scheme"), Value: []byte("https")},
	{Name: []byte(":authority"), Value: []byte("www.example.com")},
	{Name: []byte(":path"), Value: []byte("/articles/2026/hpack?lang=en")},
	{Name: []byte("user-agent"), Value: []byte("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")},
	{Name: []byte("accept"), Value: []byte("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")},
	{Name: []byte("accept-encoding"), Value: []byte("gzip, deflate, br, zstd")},
	{Name: []byte("accept-language"), Value: []byte("en-US,en;q=0.9")},
	{Name: []byte("cookie"), Value: []byte("session=4f2a9c1e7b3d5a8f6e0c2b4d9a7f1e3c")},
	{Name: []byte("sec-fetch-mode"), Value: []byte("navigate")},
	{Name: []byte("upgrade-insecure-requests"), Value: []byte("1")},
}

// encodeRequestBlock returns the block a browser's first request encodes to
// with Huffman coding, from a fresh encoder (all literals, so decoding it
// runs Huffman decoding and table inserts each time on a fresh decoder).
func encodeRequestBlock() []byte {
	e := NewEncoder()
	var b []byte
	for _, f := range typicalRequest {
		b = e.AppendField(b, f)
	}
	return b
}

func fieldsBytes(fs []HeaderField) int64 {
	var n int64
	for _, f := range fs {
		n += int64(len(f.Name) + len(f.Value))
	}
	return n
}

// BenchmarkEncodeResponse encodes a typical response on a warm encoder
// (mostly indexed references).
func BenchmarkEncodeResponse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(fieldsBytes(typicalResponse))
	e := NewEncoder()
	buf := make([]byte, 0, 512)
	for _, f := range typicalResponse {
		buf = e.AppendField(buf, f)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = buf[:0]
		for _, f := range typicalResponse {
			buf = e.AppendField(buf, f)
		}
		if len(buf) == 0 {
			b.Fatal("empty block")
		}
	}
}

// BenchmarkEncodeRequestLiterals encodes a browser request as on a new
// connection: Huffman-coded literals and table inserts.
func BenchmarkEncodeRequestLiterals(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(fieldsBytes(typicalRequest))
	buf := make([]byte, 0, 1024)
	e := NewEncoder()
	for i := 0; i < b.N; i++ {
		e.SetMaxTableSize(0) // empties the table: every field is a literal again
		e.SetMaxTableSize(4096)
		buf = buf[:0]
		for _, f := range typicalRequest {
			buf = e.AppendField(buf, f)
		}
		if len(buf) == 0 {
			b.Fatal("empty block")
		}
	}
}

// BenchmarkDecodeRequestLiterals decodes a browser's first request:
// Huffman-coded literals and table inserts.
func BenchmarkDecodeRequestLiterals(b *testing.B) {
	b.ReportAllocs()
	block := encodeRequestBlock()
	b.SetBytes(int64(len(block)))
	d := NewDecoder(4096)
	n := 0
	emit := func(f HeaderField) error { n++; return nil }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n = 0
		if err := d.Decode(block, emit); err != nil || n != len(typicalRequest) {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkDecodeRequestIndexed decodes a later request on the same
// connection: indexed references.
func BenchmarkDecodeRequestIndexed(b *testing.B) {
	b.ReportAllocs()
	e := NewEncoder()
	d := NewDecoder(4096)
	var block []byte
	for _, f := range typicalRequest {
		block = e.AppendField(block, f)
	}
	emit := func(f HeaderField) error { return nil }
	if err := d.Decode(block, emit); err != nil {
		b.Fatal(err)
	}
	block = block[:0]
	for _, f := range typicalRequest {
		block = e.AppendField(block, f)
	}
	b.SetBytes(int64(len(block)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := d.Decode(block, emit); err != nil {
			b.Fatal(err)
		}
	}
}

var huffmanBenchInput = typicalRequest[4].Value // the user-agent

func BenchmarkHuffmanEncode(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(huffmanBenchInput)))
	buf := make([]byte, 0, 256)
	for i := 0; i < b.N; i++ {
		buf = AppendHuffmanString(buf[:0], huffmanBenchInput)
		if len(buf) == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkHuffmanDecode(b *testing.B) {
	b.ReportAllocs()
	enc := AppendHuffmanString(nil, huffmanBenchInput)
	b.SetBytes(int64(len(enc)))
	buf := make([]byte, 0, 256)
	for i := 0; i < b.N; i++ {
		var err error
		buf, err = AppendHuffmanDecode(buf[:0], enc)
		if err != nil || len(buf) != len(huffmanBenchInput) {
			b.Fatal(err)
		}
	}
}

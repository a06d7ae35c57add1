package hpack

import "testing"

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

package pool

import "testing"

// benchPayload is written into each buffer: 4 KiB in 1 KiB writes.
var benchPayload = make([]byte, 1<<10)

// bufferSink keeps BenchmarkBufferAlloc's buffer on the heap.
var bufferSink []byte

func BenchmarkBufferPool(b *testing.B) {
	var p BufferPool
	b.ReportAllocs()
	for b.Loop() {
		buf := p.Get()
		for range 4 {
			buf.Write(benchPayload)
		}
		if buf.Len() != 4<<10 {
			b.Fatalf("len %d", buf.Len())
		}
		p.Put(buf)
	}
}

func BenchmarkBufferAlloc(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		buf := make([]byte, 0, 4096)
		for range 4 {
			buf = append(buf, benchPayload...)
		}
		if len(buf) != 4<<10 {
			b.Fatalf("len %d", len(buf))
		}
		bufferSink = buf
	}
}

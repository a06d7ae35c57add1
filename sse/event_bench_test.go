package sse

import (
	"testing"
	"time"
)

func BenchmarkAppendEvent(b *testing.B) {
	ev := Event{ID: "12345", Type: "tick", Data: []byte(`{"time":"2024-01-01T00:00:00Z","n":1}`), Retry: time.Second}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		buf, err = AppendEvent(buf[:0], &ev)
		if err != nil || len(buf) == 0 {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

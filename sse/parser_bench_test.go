package sse

import (
	"strings"
	"testing"
)

func BenchmarkParserFeed(b *testing.B) {
	var in []byte
	for i := 0; i < 100; i++ {
		in = append(in, "event: tick\ndata: {\"time\":\"2024-01-01T00:00:00Z\",\"n\":1}\n\n"...)
	}
	in = append(in, "data: "+strings.Repeat("x", 1000)+"\n\n"...)
	var p Parser
	n := 0
	fn := func(e *Event) error { n++; return nil }
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for i := 0; i < b.N; i++ {
		if err := p.Feed(in, fn); err != nil {
			b.Fatal(err)
		}
	}
	if n != 101*b.N {
		b.Fatalf("%d events", n)
	}
}

package volt

import "testing"

// BenchmarkArgsParse parses the argsParseTests cases marked bench.
func BenchmarkArgsParse(b *testing.B) {
	for _, tc := range argsParseTests {
		if !tc.bench {
			continue
		}
		b.Run(tc.name, func(b *testing.B) {
			in := []byte(tc.in)
			var a Args
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				a.ParseBytes(in)
				if a.Len() != len(tc.pairs) {
					b.Fatalf("Len = %d, want %d", a.Len(), len(tc.pairs))
				}
			}
		})
	}
}

// BenchmarkArgsPeek looks up the last of ten keys.
func BenchmarkArgsPeek(b *testing.B) {
	var a Args
	a.Parse("k0=0&k1=1&k2=2&k3=3&k4=4&k5=5&k6=6&k7=7&k8=8&limit=10")
	b.ReportAllocs()
	for b.Loop() {
		if v := a.Peek("limit"); len(v) != 2 {
			b.Fatalf("Peek = %q", v)
		}
	}
}

// BenchmarkArgsAppendBytes encodes the arguments back into a query string.
func BenchmarkArgsAppendBytes(b *testing.B) {
	var a Args
	a.Parse("a=1&b=hello+world&c=%41%42&q=caf%C3%A9&a=2")
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendBytes(buf[:0])
		if len(buf) == 0 {
			b.Fatal("empty")
		}
	}
}

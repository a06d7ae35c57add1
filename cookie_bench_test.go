package volt

import "testing"

func BenchmarkCookieParse(b *testing.B) {
	b.ReportAllocs()
	var c Cookie
	src := []byte(fullSetCookie)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.ParseBytes(src); err != nil {
			b.Fatal(err)
		}
		if c.MaxAge() != 3600 {
			b.Fatalf("MaxAge = %d", c.MaxAge())
		}
	}
}

func BenchmarkCookieAppendBytes(b *testing.B) {
	b.ReportAllocs()
	var c Cookie
	setFullCookie(&c)
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(fullSetCookie)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = c.AppendBytes(buf[:0])
		if len(buf) != len(fullSetCookie) {
			b.Fatalf("AppendBytes = %q", buf)
		}
	}
}

func BenchmarkPeekCookie(b *testing.B) {
	b.ReportAllocs()
	header := []byte(fullCookieHeader)
	b.SetBytes(int64(len(header)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := peekCookie(header, "csrftoken"); len(v) != len("Zm9vYmFyYmF6") {
			b.Fatalf("peekCookie = %q", v)
		}
	}
}

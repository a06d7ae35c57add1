package volt

import "testing"

// BenchmarkResponseHeaderValidForWire measures the writer's check of a
// typical head: Content-Type and five fields.
func BenchmarkResponseHeaderValidForWire(b *testing.B) {
	var h ResponseHeader
	h.Reset()
	h.SetContentType("application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	h.Set("ETag", `W/"5e1f-17a3c0d9e8b"`)
	h.Set("Vary", "Accept-Encoding, Origin")
	h.Set("X-Request-Id", "0b7f3d7e-5b1c-4a2e-9f3d-1c2b3a4d5e6f")
	h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if !h.validForWire() {
			b.Fatal("invalid")
		}
	}
}

// TestValidForWire checks the writer's check field by field.
func TestValidForWire(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(h *ResponseHeader)
		ok   bool
	}{
		{"empty", func(h *ResponseHeader) {}, true},
		{"field", func(h *ResponseHeader) { h.Set("X-A", "b\tc d") }, true},
		{"obs-text", func(h *ResponseHeader) { h.Set("X-A", "caf\xc3\xa9") }, true},
		{"CR", func(h *ResponseHeader) { h.Set("X-A", "a\rb") }, false},
		{"LF", func(h *ResponseHeader) { h.Set("X-A", "a\nb") }, false},
		{"NUL", func(h *ResponseHeader) { h.Set("X-A", "a\x00b") }, false},
		{"DEL", func(h *ResponseHeader) { h.Set("X-A", "a\x7fb") }, false},
		{"name colon", func(h *ResponseHeader) { h.Set("X:A", "b") }, false},
		{"name space", func(h *ResponseHeader) { h.Set("X A", "b") }, false},
		{"empty name", func(h *ResponseHeader) { h.Set("", "b") }, false},
		{"Content-Type", func(h *ResponseHeader) { h.SetContentType("text/html\r\nX: y") }, false},
		{"Connection", func(h *ResponseHeader) { h.Set("Connection", "x\ny") }, false},
		{"trailer name", func(h *ResponseHeader) { h.SetTrailer("X\r\nY", "b") }, false},
		{"trailer value", func(h *ResponseHeader) { h.SetTrailer("X-T", "\x00") }, false},
	} {
		var h ResponseHeader
		h.Reset()
		tc.set(&h)
		if got := h.validForWire(); got != tc.ok {
			t.Errorf("%s: validForWire = %v, want %v", tc.name, got, tc.ok)
		}
	}
}

package fastcgi

import (
	"bytes"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

// FuzzCGIResponse parses arbitrary bytes as a CGI response header. Only
// checking and applying must agree; an accepted header has a status of
// 200 to 599 and only valid fields, and written back out it parses to
// the same result.
func FuzzCGIResponse(f *testing.F) {
	for _, s := range []string{
		"Status: 404 Not Found\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\n\r\nbody",
		"Location: /local?x=1\n\n",
		"Location: http://example.com/\r\nStatus: 301\r\n\r\n",
		"Content-Length: 3\r\nConnection: close\r\n\r\nabc",
		"X-A: \x7f\r\n\r\n",
		"\r\nno header",
		" folded: x\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		block, body := headerEnd(data, 0)
		if len(data) <= 512 {
			// Scanning as bytes arrive finds the same blank line.
			for step := 1; step <= 7; step += 3 {
				b2, d2, scanned := -1, -1, 0
				for n := min(step, len(data)); b2 < 0; n = min(n+step, len(data)) {
					b2, d2 = headerEnd(data[:n], scanned-3)
					scanned = n
					if n == len(data) {
						break
					}
				}
				if b2 != block || d2 != body {
					t.Fatalf("step %d: %d %d, want %d %d", step, b2, d2, block, body)
				}
			}
		}
		if block < 0 {
			block = len(data)
		}
		var h volt.ResponseHeader
		s1, cl1, err1 := parseCGIHeader(data[:block], nil)
		s2, cl2, err2 := parseCGIHeader(data[:block], &h)
		if err1 != err2 || s1 != s2 || cl1 != cl2 {
			t.Fatalf("check %d %d %v, apply %d %d %v", s1, cl1, err1, s2, cl2, err2)
		}
		if err1 != nil {
			return
		}
		if s1 < 200 || s1 > 599 {
			t.Fatalf("status %d", s1)
		}
		var out []byte
		out = append(out, "Status: "...)
		out = bytesconv.AppendUint(out, s1)
		out = append(out, "\r\n"...)
		if cl1 >= 0 {
			out = append(out, "Content-Length: "...)
			out = bytesconv.AppendUint(out, int(cl1))
			out = append(out, "\r\n"...)
		}
		if ct := h.ContentType(); len(ct) > 0 && len(trimOWS(ct)) == len(ct) {
			out = append(out, "Content-Type: "...)
			out = append(out, ct...)
			out = append(out, "\r\n"...)
		}
		for k, v := range h.All() {
			if !ascii.ValidToken(k) || !ascii.ValidFieldValue(v) || hopByHop(k) {
				t.Fatalf("field %q: %q", k, v)
			}
			out = append(out, k...)
			out = append(out, ": "...)
			out = append(out, v...)
			out = append(out, "\r\n"...)
		}
		var h2 volt.ResponseHeader
		s3, cl3, err := parseCGIHeader(bytes.TrimSuffix(out, []byte("\r\n")), &h2)
		if err != nil || s3 != s1 || cl3 != cl1 || h2.Len() != h.Len() {
			t.Fatalf("round trip %q: %d %d %v", out, s3, cl3, err)
		}
	})
}

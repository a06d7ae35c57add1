package fastcgi

import (
	"strings"
	"testing"

	"github.com/volthttp/volt"
)

// TestHeaderEnd finds the blank line with LF and CR LF line ends.
func TestHeaderEnd(t *testing.T) {
	for _, tc := range []struct {
		in          string
		block, body int
	}{
		{"A: b\n\nbody", 5, 6},
		{"A: b\r\n\r\nbody", 6, 8},
		{"A: b\r\nC: d\n\n", 11, 12},
		{"\r\nbody", 0, 2},
		{"\nbody", 0, 1},
		{"A: b\r\n", -1, -1},
		{"A: b\r\n\r", -1, -1},
		{"", -1, -1},
	} {
		block, body := headerEnd([]byte(tc.in), 0)
		if block != tc.block || body != tc.body {
			t.Errorf("%q: %d %d, want %d %d", tc.in, block, body, tc.block, tc.body)
		}
	}
	// Scanning resumes where the last read ended, two bytes back.
	b := []byte("A: b\r\n\r\n")
	if block, _ := headerEnd(b, 6-2); block != 6 {
		t.Fatalf("resumed: %d", block)
	}
}

// TestParseCGIHeaderRFC3875Section6_3 parses status, Location, fields.
func TestParseCGIHeaderRFC3875Section6_3(t *testing.T) {
	var h volt.ResponseHeader
	status, cl, err := parseCGIHeader([]byte("Status: 404 Not Found\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 12\r\nConnection: close\r\nTransfer-Encoding: chunked\r\nX-Pad:   v  "), &h)
	if err != nil || status != 404 || cl != 12 {
		t.Fatalf("%d %d %v", status, cl, err)
	}
	var cookies []string
	for k, v := range h.All() {
		if string(k) == "Set-Cookie" {
			cookies = append(cookies, string(v))
		}
	}
	if string(h.ContentType()) != "text/html" || len(cookies) != 2 || string(h.Peek("X-Pad")) != "v" || h.ConnectionClose() || h.Peek("Transfer-Encoding") != nil {
		t.Fatalf("%q %q", h.ContentType(), cookies)
	}
	for _, bad := range []string{
		"Status: 1000", "Status: 20x", "Status: 600", "Status: 199", "Status:", "Status: 200OK",
		"Location:", "Location: /a\nLocation: /b", "Content-Length: 1x", "Content-Length: ",
		"X-A: \x7f", "X\x00: a", ": a", "X-A", "\tX-A: b",
	} {
		if _, _, err := parseCGIHeader([]byte(bad), nil); err != ErrMalformedHeader {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if s, _, _ := parseCGIHeader([]byte("Location: /x"), nil); s != 302 {
		t.Fatal(s)
	}
	if s, _, _ := parseCGIHeader([]byte(strings.Repeat("X-A: b\n", 3)), nil); s != 200 {
		t.Fatal(s)
	}
}

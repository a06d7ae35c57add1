package volt

import (
	"slices"
	"testing"
)

// TestRequestHeaderValues: RFC 9110 section 5.3, a field sent over several
// lines yields each line's value, in order, whatever the case of its
// name; Peek still gives the first.
func TestRequestHeaderValues(t *testing.T) {
	raw := "GET / HTTP/1.1\r\n" +
		"Host: h\r\n" +
		"Accept-Encoding: identity;q=0\r\n" +
		"Accept: text/html\r\n" +
		"accept-encoding: gzip\r\n" +
		"ACCEPT-ENCODING:br;q=0.5 \r\n" +
		"Accept-Encodings: zstd\r\n" +
		"\r\n"
	var h RequestHeader
	if _, err := parseRequestHead(&h, []byte(raw), &defaultParseOptions); err != nil {
		t.Fatal(err)
	}
	collect := func(seq func(func([]byte) bool)) []string {
		var out []string
		for v := range seq {
			out = append(out, string(v))
		}
		return out
	}
	want := []string{"identity;q=0", "gzip", "br;q=0.5"}
	if got := collect(h.Values(HeaderAcceptEncoding)); !slices.Equal(got, want) {
		t.Fatalf("Values: %q, want %q", got, want)
	}
	if got := collect(h.ValuesBytes([]byte("aCCEPT-eNCODING"))); !slices.Equal(got, want) {
		t.Fatalf("ValuesBytes: %q, want %q", got, want)
	}
	if got := string(h.Peek(HeaderAcceptEncoding)); got != want[0] {
		t.Fatalf("Peek: %q", got)
	}
	if got := collect(h.Values("Accept-Language")); got != nil {
		t.Fatalf("absent field: %q", got)
	}
	// Stopping early is honoured.
	n := 0
	for range h.Values(HeaderAcceptEncoding) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("break: %d values", n)
	}
	// Fields set after parsing are seen, and Set leaves one line.
	h.Add(HeaderAcceptEncoding, "deflate")
	if got := collect(h.Values(HeaderAcceptEncoding)); !slices.Equal(got, append(want, "deflate")) {
		t.Fatalf("after Add: %q", got)
	}
	h.Set(HeaderAcceptEncoding, "zstd")
	if got := collect(h.Values(HeaderAcceptEncoding)); !slices.Equal(got, []string{"zstd"}) {
		t.Fatalf("after Set: %q", got)
	}
}

// Deleting Connection forgets what it said: a request parsed with
// "Connection: close" and forwarded without the field (as a proxy does
// with hop-by-hop fields, RFC 9110 section 7.6.1) does not close.
func TestRequestHeaderDelConnection(t *testing.T) {
	var h RequestHeader
	if _, err := parseRequestHead(&h, []byte("GET / HTTP/1.1\r\nHost: a\r\nConnection: close, upgrade\r\n\r\n"), &defaultParseOptions); err != nil {
		t.Fatal(err)
	}
	if !h.ConnectionClose() || !h.ConnectionUpgrade() {
		t.Fatal("ConnectionClose() or ConnectionUpgrade() false after Connection: close, upgrade")
	}
	h.Del("Connection")
	if h.ConnectionClose() || h.ConnectionUpgrade() {
		t.Error("ConnectionClose() or ConnectionUpgrade() true after Del(Connection)")
	}
	if len(h.Peek("Connection")) != 0 {
		t.Errorf("Connection = %q after Del", h.Peek("Connection"))
	}
	h.Set("Connection", "Upgrade")
	if !h.ConnectionUpgrade() || h.ConnectionClose() {
		t.Error("Set(Connection, Upgrade): ConnectionUpgrade() false or ConnectionClose() true")
	}
}

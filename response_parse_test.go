package volt

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestResponseHeaderRead: a head that arrives a byte at a time is parsed,
// and the bytes after it stay in the reader.
func TestResponseHeaderRead(t *testing.T) {
	raw := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi"
	br := bufio.NewReader(iotest.OneByteReader(strings.NewReader(raw)))
	var h ResponseHeader
	if err := h.Read(br); err != nil {
		t.Fatal(err)
	}
	if h.StatusCode() != 101 || !h.ConnectionUpgrade() || string(h.Peek("Connection")) != "Upgrade" ||
		string(h.Peek("Upgrade")) != "websocket" || string(h.Peek("Sec-WebSocket-Accept")) != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("parsed %d %q %q", h.StatusCode(), h.Peek("Connection"), h.Peek("Upgrade"))
	}
	rest, _ := io.ReadAll(br)
	if string(rest) != "\x81\x02hi" {
		t.Fatalf("left in the reader: %q", rest)
	}
}

func TestResponseHeaderReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		size      int
		want      error
	}{
		{"closed at once", "", 4096, ErrConnectionClosed},
		{"closed mid-head", "HTTP/1.1 101 Switching", 4096, ErrUnexpectedEOF},
		{"head too large", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 100) + "\r\n\r\n", 64, ErrHeaderTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h ResponseHeader
			if err := h.Read(bufio.NewReaderSize(strings.NewReader(tc.raw), tc.size)); err != tc.want {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	var h ResponseHeader
	if err := h.Read(bufio.NewReader(strings.NewReader("HTTP/1.1 2x0 OK\r\n\r\n"))); err == nil {
		t.Fatal("bad status line accepted")
	}
}

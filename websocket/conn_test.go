package websocket

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestEchoRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"plain", Config{}},
		{"deflate", Config{Compression: Compression{Enabled: true, MinSize: -1}}},
		{"deflate context takeover", Config{Compression: Compression{Enabled: true, ContextTakeover: true}}},
		{"fragmented", Config{FragmentSize: 7}},
		{"deflate fragmented", Config{FragmentSize: 7, Compression: Compression{Enabled: true, MinSize: -1}}},
		{"small buffers", Config{ReadBufferSize: 1, WriteBufferSize: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, &Upgrader{Config: tc.cfg}, echo)
			c := dialServer(t, srv, &DialOptions{Config: tc.cfg})
			if c.Compressed() != tc.cfg.Compression.Enabled {
				t.Fatalf("Compressed() = %v", c.Compressed())
			}
			msgs := [][]byte{
				[]byte("hello"),
				[]byte(""),
				[]byte(strings.Repeat("héllo wörld ", 100)),
				bytes.Repeat([]byte{0, 1, 2, 255}, 50000),
				[]byte("hello"),
			}
			for i, m := range msgs {
				mt := TextMessage
				if i == 3 {
					mt = BinaryMessage
				}
				if err := c.WriteMessage(mt, m); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				gt, got, err := c.ReadMessage()
				if err != nil {
					t.Fatalf("read %d: %v", i, err)
				}
				if gt != mt || !bytes.Equal(got, m) {
					t.Fatalf("message %d: got %v %d bytes, want %v %d bytes", i, gt, len(got), mt, len(m))
				}
			}
			// Streaming both ways.
			w, err := c.NextWriter(BinaryMessage)
			if err != nil {
				t.Fatal(err)
			}
			want := bytes.Repeat([]byte("streamed "), 3000)
			for p := want; len(p) > 0; p = p[min(len(p), 1000):] {
				if _, err := w.Write(p[:min(len(p), 1000)]); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			mt, r, err := c.NextReader()
			if err != nil || mt != BinaryMessage {
				t.Fatalf("NextReader: %v %v", mt, err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("streamed: %d bytes, %v", len(got), err)
			}
			if err := c.WriteClose(StatusNormalClosure, "bye"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.ReadMessage(); CloseStatus(err) != StatusNormalClosure {
				t.Fatalf("after close: %v", err)
			}
		})
	}
}

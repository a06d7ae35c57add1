//go:build !race

package websocket

import (
	"bytes"
	"testing"
)

// TestAllocsSmallMessage: on an established connection, reading and
// writing a small message allocates nothing, on both sides.
func TestAllocsSmallMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		pm   *deflateParams
	}{
		{"plain", nil},
		{"deflate negotiated, message below MinSize", &deflateParams{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 15, level: 1, minSize: 128}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := connPair(&Config{}, tc.pm)
			defer srv.Close()
			defer cli.Close()
			msg := []byte("a small message of 32 bytes.....")
			roundTrip := func() {
				if err := cli.WriteMessage(TextMessage, msg); err != nil {
					t.Fatal(err)
				}
				mt, p, err := srv.ReadMessage()
				if err != nil || mt != TextMessage || !bytes.Equal(p, msg) {
					t.Fatalf("server read %v %q %v", mt, p, err)
				}
				if err := srv.WriteMessage(mt, p); err != nil {
					t.Fatal(err)
				}
				if _, p, err = cli.ReadMessage(); err != nil || !bytes.Equal(p, msg) {
					t.Fatalf("client read %q %v", p, err)
				}
			}
			roundTrip()
			if n := testing.AllocsPerRun(1000, roundTrip); n != 0 {
				t.Fatalf("expected 0 allocations, got %v", n)
			}
		})
	}
}

// TestAllocsNextWriterText: streaming a small text message in pieces,
// with its UTF-8 checked as they come (a rune split between Writes),
// allocates nothing.
func TestAllocsNextWriterText(t *testing.T) {
	srv, cli := connPair(&Config{}, nil)
	defer srv.Close()
	defer cli.Close()
	pieces := [][]byte{[]byte("a small text message, "), []byte("\xce"), []byte("\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")}
	want := "a small text message, \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
	send := func() {
		w, err := srv.NextWriter(TextMessage)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pieces {
			if _, err := w.Write(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if mt, p, err := cli.ReadMessage(); err != nil || mt != TextMessage || string(p) != want {
			t.Fatalf("client read %v %q %v", mt, p, err)
		}
	}
	send()
	if n := testing.AllocsPerRun(1000, send); n != 0 {
		t.Fatalf("expected 0 allocations, got %v", n)
	}
}

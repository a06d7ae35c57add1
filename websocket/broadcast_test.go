package websocket

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestBroadcast: one prepared message reaches server connections with
// and without compression, and client connections; it is compressed once
// for all the connections that share parameters.
func TestBroadcast(t *testing.T) {
	msg := []byte(strings.Repeat("tick ", 100))
	pm, err := NewPreparedMessage(TextMessage, msg)
	if err != nil {
		t.Fatal(err)
	}
	var senders, readers []*Conn
	for _, p := range []*deflateParams{nil, &noContextDeflate, &noContextDeflate, {writeBits: 15, readBits: 15, level: 1}} {
		srv, cli := connPair(&Config{}, p)
		defer srv.Close()
		defer cli.Close()
		senders, readers = append(senders, srv), append(readers, cli)
		// Client connections too, the other way.
		srv2, cli2 := connPair(&Config{}, p)
		defer srv2.Close()
		defer cli2.Close()
		senders, readers = append(senders, cli2), append(readers, srv2)
	}
	if err := Broadcast(pm, senders); err != nil {
		t.Fatal(err)
	}
	for i, r := range readers {
		if _, p, err := r.ReadMessage(); err != nil || !bytes.Equal(p, msg) {
			t.Fatalf("reader %d: %d bytes, %v", i, len(p), err)
		}
	}
	// Plain server, compressed server, plain client, compressed client.
	if len(pm.frames) != 4 {
		t.Fatalf("%d encodings", len(pm.frames))
	}
	// The compressed server frame is smaller than the message.
	for _, f := range pm.frames {
		if f.key.server && f.key.deflate && len(f.b) >= len(msg) {
			t.Fatalf("compressed frame of %d bytes", len(f.b))
		}
	}
	senders[0].WriteClose(StatusNormalClosure, "")
	if err := Broadcast(pm, senders[:1]); !errors.Is(err, ErrCloseSent) {
		t.Fatalf("broadcast after close: %v", err)
	}
	if _, err := NewPreparedMessage(PingMessage, nil); err != ErrBadMessageType {
		t.Fatal(err)
	}
}

// TestPreparedMessageUTF8: RFC 6455 section 5.6, a prepared text message
// must be valid UTF-8, checked once when it is made; binary is not
// checked.
func TestPreparedMessageUTF8(t *testing.T) {
	for _, tc := range utf8Cases {
		pm, err := NewPreparedMessage(TextMessage, []byte(tc.s))
		if valid := utf8.ValidString(tc.s); valid != (err == nil) || !valid && (err != ErrInvalidUTF8 || pm != nil) {
			t.Fatalf("%s: %v %v", tc.name, pm, err)
		}
		if _, err := NewPreparedMessage(BinaryMessage, []byte(tc.s)); err != nil {
			t.Fatalf("%s as binary: %v", tc.name, err)
		}
	}
}

// TestPreparedMessageWriteTimeout: a connection whose peer does not read
// fails its write with a timeout after WriteTimeout instead of blocking.
func TestPreparedMessageWriteTimeout(t *testing.T) {
	pm, _ := NewPreparedMessage(BinaryMessage, make([]byte, 1<<20))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp", ln.Addr().String()) // never reads
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	srv := newConn(nc, true, &Config{WriteTimeout: 50 * time.Millisecond}, "", nil, nil)
	defer srv.Close()
	start := time.Now()
	for i := 0; i < 64 && err == nil; i++ { // until the socket buffers are full
		err = srv.WritePreparedMessage(pm)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("writes to a peer that does not read: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the write took %v to time out", d)
	}
}

// TestBroadcastParallel: a large fan-out, split between goroutines,
// reaches every connection once, and reports each failure.
func TestBroadcastParallel(t *testing.T) {
	const n = 100
	var senders, readers []*Conn
	for i := 0; i < n; i++ {
		srv, cli := connPair(&Config{}, nil)
		defer srv.Close()
		defer cli.Close()
		senders, readers = append(senders, srv), append(readers, cli)
	}
	senders[7].WriteClose(StatusGoingAway, "")
	senders[93].WriteClose(StatusGoingAway, "")
	pm, _ := NewPreparedMessage(BinaryMessage, []byte("fan-out"))
	err := Broadcast(pm, senders)
	if !errors.Is(err, ErrCloseSent) || strings.Count(err.Error(), "close frame already sent") != 2 {
		t.Fatalf("err = %v", err)
	}
	for i, r := range readers {
		if i == 7 || i == 93 {
			continue
		}
		if _, p, err := r.ReadMessage(); err != nil || string(p) != "fan-out" {
			t.Fatalf("reader %d: %q %v", i, p, err)
		}
	}
}

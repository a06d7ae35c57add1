package websocket

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// readFrames reads n frames from raw and returns their headers and
// unmasked payloads.
func readFrames(t *testing.T, raw net.Conn, n int) ([]frameHeader, []string) {
	t.Helper()
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	var hs []frameHeader
	var ps []string
	var buf []byte
	tmp := make([]byte, 4096)
	for len(hs) < n {
		h, hn, err := parseFrameHeader(buf)
		if err != nil {
			t.Fatal(err)
		}
		if hn > 0 && len(buf) >= hn+int(h.length) {
			p := append([]byte(nil), buf[hn:hn+int(h.length)]...)
			if h.masked {
				maskBytes(h.key, 0, p)
			}
			hs, ps = append(hs, h), append(ps, string(p))
			buf = buf[hn+int(h.length):]
			continue
		}
		m, err := raw.Read(tmp)
		if err != nil {
			t.Fatalf("after %d frames: %v", len(hs), err)
		}
		buf = append(buf, tmp[:m]...)
	}
	return hs, ps
}

// TestServerWritesExactFrames: RFC 6455 section 5.7, unmasked server
// frames, with and without fragmentation.
func TestServerWritesExactFrames(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		mt   MessageType
		msg  string
		want string
	}{
		{"5.7 single frame", Config{}, TextMessage, "Hello", "8105 48656c6c6f"},
		{"5.7 fragmented", Config{FragmentSize: 3}, TextMessage, "Hello", "0103 48656c 8002 6c6f"},
		{"5.7 256 bytes binary", Config{}, BinaryMessage, strings.Repeat("\x00", 256), "827e 0100" + strings.Repeat("00", 256)},
		{"empty", Config{}, BinaryMessage, "", "8200"},
		{"5.5.2 ping", Config{}, PingMessage, "Hello", "8905 48656c6c6f"},
		{"5.5.3 pong", Config{}, PongMessage, "Hello", "8a05 48656c6c6f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, raw := rawServer(&tc.cfg, nil)
			defer raw.Close()
			if err := srv.WriteMessage(tc.mt, []byte(tc.msg)); err != nil {
				t.Fatal(err)
			}
			want := dehex(tc.want)
			got := make([]byte, len(want))
			raw.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(raw, got); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("got % x %v\nwant % x", got, err, want)
			}
		})
	}
}

// TestClientMasks: RFC 6455 section 5.3, a client masks every frame with
// a fresh key, and leaves the caller's data as it was.
func TestClientMasks(t *testing.T) {
	cli, raw := rawClient(&Config{FragmentSize: 4}, nil)
	defer raw.Close()
	msg := []byte("Hello, world")
	if err := cli.WriteMessage(TextMessage, msg); err != nil {
		t.Fatal(err)
	}
	cli.WriteControl(PingMessage, []byte("p"))
	hs, ps := readFrames(t, raw, 4)
	keys := map[[4]byte]bool{}
	for i, h := range hs {
		if !h.masked {
			t.Fatalf("frame %d not masked", i)
		}
		keys[h.key] = true
	}
	if len(keys) != 4 {
		t.Fatalf("%d distinct keys for 4 frames", len(keys))
	}
	if got := strings.Join(ps[:3], ""); got != "Hello, world" || ps[3] != "p" || hs[3].op != opPing {
		t.Fatalf("payloads %q", ps)
	}
	if string(msg) != "Hello, world" {
		t.Fatal("the caller's data was masked")
	}
}

// TestNextWriterFrames: the writer sends a frame per filled buffer and
// the last at Close; control frames go out between them.
func TestNextWriterFrames(t *testing.T) {
	srv, raw := rawServer(&Config{FragmentSize: 5}, nil)
	defer raw.Close()
	w, err := srv.NextWriter(TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "Hello, ")
	if err := srv.WriteControl(PingMessage, []byte("mid")); err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "world")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); err != ErrWriterClosed {
		t.Fatalf("write after close: %v", err)
	}
	hs, ps := readFrames(t, raw, 4)
	var got []string
	for i, h := range hs {
		got = append(got, fmt.Sprintf("%x/%v/%s", h.op, h.fin, ps[i]))
	}
	want := "1/false/Hello 9/true/mid 0/false/, wor 0/true/ld"
	if strings.Join(got, " ") != want {
		t.Fatalf("frames %v, want %s", got, want)
	}
}

// TestWriteAfterClose: no data frame follows a close frame.
func TestWriteAfterClose(t *testing.T) {
	srv, raw := rawServer(&Config{}, nil)
	defer raw.Close()
	if err := srv.WriteClose(StatusGoingAway, "bye"); err != nil {
		t.Fatal(err)
	}
	if err := srv.WriteClose(StatusGoingAway, "again"); err != ErrCloseSent {
		t.Fatalf("second close: %v", err)
	}
	if err := srv.WriteMessage(TextMessage, []byte("x")); err != ErrCloseSent {
		t.Fatalf("write after close: %v", err)
	}
	if err := srv.WriteClose(1005+1, ""); err != ErrInvalidCloseCode {
		t.Fatalf("1006: %v", err)
	}
	if err := srv.WriteControl(PingMessage, make([]byte, 126)); err != ErrControlTooLong {
		t.Fatalf("long ping: %v", err)
	}
	if err := srv.WriteMessage(CloseMessage, nil); err != ErrBadMessageType {
		t.Fatalf("close through WriteMessage: %v", err)
	}
	_, ps := readFrames(t, raw, 1)
	if ps[0] != closePayload(StatusGoingAway, "bye") {
		t.Fatalf("close payload %q", ps[0])
	}
}

// TestConcurrentWriters: messages from many goroutines arrive whole,
// with pings going out between the fragments of long messages.
func TestConcurrentWriters(t *testing.T) {
	srv, cli := connPair(&Config{FragmentSize: 100}, nil)
	defer srv.Close()
	defer cli.Close()
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				msg := strings.Repeat(string(rune('a'+g)), 50+i*10)
				var err error
				if i%2 == 0 {
					err = srv.WriteMessage(TextMessage, []byte(msg))
				} else {
					var w io.WriteCloser
					if w, err = srv.NextWriter(TextMessage); err == nil {
						for _, c := range []byte(msg) {
							w.Write([]byte{c})
						}
						err = w.Close()
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
				srv.WriteControl(PingMessage, []byte{byte(g)})
			}
		}()
	}
	pongs := 0
	cli.SetPingHandler(func([]byte) error { pongs++; return nil })
	for n := 0; n < writers*each; n++ {
		_, p, err := cli.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Trim(string(p), string(p[:1])) != "" {
			t.Fatalf("message %d mixed: %q", n, p)
		}
	}
	wg.Wait()
	if pongs == 0 {
		t.Log("no ping read before the last message")
	}
}

// TestDeflateRoundTrips: compressed messages of every size, with and
// without context takeover, through WriteMessage, NextWriter and
// prepared messages.
func TestDeflateRoundTrips(t *testing.T) {
	for _, pm := range []deflateParams{
		noContextDeflate,
		{writeBits: 15, readBits: 15, level: 1},
		{writeBits: 9, readBits: 9, level: 1},
		{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 15, level: 9},
		{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 15, level: -2},
	} {
		t.Run(fmt.Sprintf("%+v", pm), func(t *testing.T) {
			for _, frag := range []int{0, 10} {
				srv, cli := connPair(&Config{FragmentSize: frag}, &pm)
				for _, size := range []int{0, 1, 100, 5000, 100000} {
					msg := []byte(strings.Repeat("abcabcabd", size/9+1)[:size])
					for _, way := range []string{"WriteMessage", "NextWriter", "prepared"} {
						var err error
						switch way {
						case "WriteMessage":
							err = cli.WriteMessage(BinaryMessage, msg)
						case "NextWriter":
							var w io.WriteCloser
							w, _ = cli.NextWriter(BinaryMessage)
							w.Write(msg)
							err = w.Close()
						case "prepared":
							p, _ := NewPreparedMessage(BinaryMessage, msg)
							err = cli.WritePreparedMessage(p)
						}
						if err != nil {
							t.Fatal(err)
						}
						_, r, err := srv.NextReader()
						if err != nil {
							t.Fatal(err)
						}
						got, err := io.ReadAll(r)
						if err != nil || !bytes.Equal(got, msg) {
							t.Fatalf("%s size %d frag %d: %d bytes, %v", way, size, frag, len(got), err)
						}
						if err := srv.WriteMessage(BinaryMessage, got); err != nil {
							t.Fatal(err)
						}
						if _, got, err = cli.ReadMessage(); err != nil || !bytes.Equal(got, msg) {
							t.Fatalf("back %s size %d: %d bytes %v", way, size, len(got), err)
						}
					}
				}
				srv.Close()
				cli.Close()
			}
		})
	}
}

// TestSkipUnreadMessage: NextReader and ReadMessage skip what is left of
// the previous message, compressed or not.
func TestSkipUnreadMessage(t *testing.T) {
	for _, pm := range []*deflateParams{nil, &noContextDeflate, {writeBits: 15, readBits: 15, level: 1}} {
		srv, cli := connPair(&Config{FragmentSize: 3}, pm)
		cli.WriteMessage(TextMessage, []byte(strings.Repeat("skip me ", 100)))
		// Larger than the buffers a connection keeps, and incompressible.
		big := make([]byte, 200<<10)
		for i := range big {
			big[i] = byte(i*7919>>3 ^ i>>11)
		}
		cli.WriteMessage(BinaryMessage, big)
		cli.WriteMessage(TextMessage, []byte("next"))
		_, r, err := srv.NextReader()
		if err != nil {
			t.Fatal(err)
		}
		r.Read(make([]byte, 5))
		if _, r, err = srv.NextReader(); err != nil {
			t.Fatal(err)
		}
		r.Read(make([]byte, 5))
		if _, p, err := srv.ReadMessage(); err != nil || string(p) != "next" {
			t.Fatalf("pm %v: %q %v", pm, p, err)
		}
		srv.Close()
		cli.Close()
	}
}

// TestPingPongHandlers: the default answers a ping with a pong; handlers
// replace it, and their errors end reading.
func TestPingPongHandlers(t *testing.T) {
	srv, cli := connPair(&Config{}, nil)
	defer srv.Close()
	defer cli.Close()
	var got []string
	cli.SetPongHandler(func(p []byte) error { got = append(got, "pong "+string(p)); return nil })
	cli.WriteControl(PingMessage, []byte("1"))
	cli.WriteMessage(TextMessage, []byte("m"))
	if _, _, err := srv.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	srv.WriteMessage(TextMessage, []byte("m"))
	if _, _, err := cli.ReadMessage(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "pong 1" {
		t.Fatalf("got %q", got)
	}
	boom := errors.New("boom")
	srv.SetPingHandler(func([]byte) error { return boom })
	cli.WriteControl(PingMessage, nil)
	if _, _, err := srv.ReadMessage(); err != boom {
		t.Fatalf("err %v", err)
	}
}

// TestKeepAlive: the pinger keeps an answering peer, and closes one that
// stays silent with ErrPingTimeout.
func TestKeepAlive(t *testing.T) {
	srv, cli := connPair(&Config{PingInterval: 20 * time.Millisecond, PongTimeout: 50 * time.Millisecond}, nil)
	defer cli.Close()
	go func() {
		for {
			if _, _, err := srv.ReadMessage(); err != nil {
				return
			}
		}
	}()
	cli.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, _, err := cli.ReadMessage()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("with answers: %v", err)
	}
	srv.Close()

	cli, raw := rawClient(&Config{PingInterval: 20 * time.Millisecond, PongTimeout: 30 * time.Millisecond}, nil)
	defer raw.Close()
	start := time.Now()
	_, _, err = cli.ReadMessage()
	if !errors.Is(err, ErrPingTimeout) || time.Since(start) > 2*time.Second {
		t.Fatalf("silent peer: %v after %v", err, time.Since(start))
	}
}

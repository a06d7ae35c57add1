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
	"unicode/utf8"
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

// sentFrame is a frame read back from the wire, unmasked.
type sentFrame struct {
	op      byte
	fin     bool
	payload string
}

func (f sentFrame) String() string { return fmt.Sprintf("%x/%v/%q", f.op, f.fin, f.payload) }

// drainTo reads frames from raw until a ping with payload marker (never
// fragmented) and returns the frames before it.
func drainTo(t *testing.T, raw net.Conn, marker string) []sentFrame {
	t.Helper()
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []sentFrame
	var buf []byte
	tmp := make([]byte, 4096)
	for {
		h, hn, err := parseFrameHeader(buf)
		if err != nil {
			t.Fatal(err)
		}
		if hn > 0 && len(buf) >= hn+int(h.length) {
			p := append([]byte(nil), buf[hn:hn+int(h.length)]...)
			if h.masked {
				maskBytes(h.key, 0, p)
			}
			buf = buf[hn+int(h.length):]
			if h.op == opPing && string(p) == marker {
				if len(buf) > 0 {
					t.Fatalf("% x after the marker", buf)
				}
				return got
			}
			got = append(got, sentFrame{h.op, h.fin, string(p)})
			continue
		}
		m, err := raw.Read(tmp)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		buf = append(buf, tmp[:m]...)
	}
}

// TestWriteMessageUTF8: RFC 6455 section 5.6, a text message must be
// valid UTF-8 as a whole: WriteMessage refuses one that is not, sends
// nothing, and the connection carries on. Binary messages are not
// checked. Both sides, whole and fragmented.
func TestWriteMessageUTF8(t *testing.T) {
	for _, side := range []string{"server", "client"} {
		for _, frag := range []int{0, 2} {
			for _, tc := range utf8Cases {
				t.Run(fmt.Sprintf("%s/frag=%d/%s", side, frag, tc.name), func(t *testing.T) {
					cfg := &Config{FragmentSize: frag}
					c, raw := rawServer(cfg, nil)
					if side == "client" {
						c, raw = rawClient(cfg, nil)
					}
					defer raw.Close()
					valid := utf8.ValidString(tc.s)
					err := c.WriteMessage(TextMessage, []byte(tc.s))
					if valid && err != nil || !valid && err != ErrInvalidUTF8 {
						t.Fatalf("WriteMessage(text) = %v, valid UTF-8: %v", err, valid)
					}
					if err := c.WriteMessage(BinaryMessage, []byte(tc.s)); err != nil {
						t.Fatalf("WriteMessage(binary) = %v", err)
					}
					if err := c.WriteControl(PingMessage, []byte("end")); err != nil {
						t.Fatal(err)
					}
					// The text message (if any) comes first, then the binary one.
					var text, binary string
					inText := false
					for _, f := range drainTo(t, raw, "end") {
						if f.op == opText || f.op == opContinuation && inText {
							inText = !f.fin
							text += f.payload
							continue
						}
						inText = false
						binary += f.payload
					}
					if valid && text != tc.s || !valid && text != "" || binary != tc.s {
						t.Fatalf("sent text %q and binary %q", text, binary)
					}
				})
			}
		}
	}
}

// TestNextWriterUTF8Splits: a text message written in two pieces, split
// at every point (inside runes too), goes out whole when it is valid
// UTF-8. When it is not, a Write or Close returns ErrInvalidUTF8, every
// call after the first error returns it too, nothing of the message goes
// out (it fits in the buffer), and the connection carries on.
func TestNextWriterUTF8Splits(t *testing.T) {
	for _, tc := range utf8Cases {
		s := []byte(tc.s)
		valid := utf8.Valid(s)
		for i := 0; i <= len(s); i++ {
			srv, raw := rawServer(&Config{}, nil)
			w, err := srv.NextWriter(TextMessage)
			if err != nil {
				t.Fatal(err)
			}
			_, e1 := w.Write(s[:i])
			_, e2 := w.Write(s[i:])
			e3 := w.Close()
			errs := []error{e1, e2, e3}
			failed := false
			for _, e := range errs {
				switch {
				case e != nil && e != ErrInvalidUTF8, failed && e == nil, valid && e != nil:
					t.Fatalf("%s split at %d: errors %v", tc.name, i, errs)
				}
				failed = failed || e != nil
			}
			if !valid && e3 != ErrInvalidUTF8 {
				t.Fatalf("%s split at %d: Close = %v", tc.name, i, e3)
			}
			if err := srv.WriteMessage(TextMessage, []byte("next")); err != nil {
				t.Fatalf("%s split at %d: the next message: %v", tc.name, i, err)
			}
			srv.WriteControl(PingMessage, []byte("end"))
			want := []sentFrame{{opText, true, "next"}}
			if valid {
				want = append([]sentFrame{{opText, true, tc.s}}, want...)
			}
			if got := drainTo(t, raw, "end"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s split at %d: sent %v, want %v", tc.name, i, got, want)
			}
			raw.Close()
		}
	}
}

// TestNextWriterInvalidUTF8AfterFrames: when frames of a text message
// went out before its UTF-8 turned out invalid, no last frame may follow
// them: the connection is failed with a close frame with 1011 between the
// fragments, and data writes return ErrCloseSent from then on.
func TestNextWriterInvalidUTF8AfterFrames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		frag   int
		writes []string
		errs   []error // of each Write, then of Close
		wire   string
	}{
		{"bad bytes in a later Write", 4, []string{"Hello, wo", "\xed\xa0\x80", "rld"},
			[]error{nil, ErrInvalidUTF8, ErrInvalidUTF8, ErrInvalidUTF8},
			"0104 48656c6c  0004 6f2c2077  8802 03f3"},
		{"bad bytes after valid ones in the same Write", 4, []string{"Hello, wo", "rld\xff!"},
			[]error{nil, ErrInvalidUTF8, ErrInvalidUTF8},
			"0104 48656c6c  0004 6f2c2077  8802 03f3"},
		{"message ends inside a rune", 2, []string{"ab\xce"},
			[]error{nil, ErrInvalidUTF8},
			"0102 6162  8802 03f3"},
		{"a rune split over a frame boundary is fine until the end", 2, []string{"a\xce", "\xbab\xe2\x82"},
			[]error{nil, nil, ErrInvalidUTF8},
			"0102 61ce  0002 ba62  8802 03f3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, raw := rawServer(&Config{FragmentSize: tc.frag}, nil)
			defer raw.Close()
			w, err := srv.NextWriter(TextMessage)
			if err != nil {
				t.Fatal(err)
			}
			var errs []error
			for _, s := range tc.writes {
				_, err := w.Write([]byte(s))
				errs = append(errs, err)
			}
			errs = append(errs, w.Close())
			if fmt.Sprint(errs) != fmt.Sprint(tc.errs) {
				t.Fatalf("errors %v, want %v", errs, tc.errs)
			}
			want := dehex(tc.wire)
			got := make([]byte, len(want))
			raw.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(raw, got); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("sent % x %v\nwant % x", got, err, want)
			}
			if err := srv.WriteMessage(TextMessage, []byte("x")); err != ErrCloseSent {
				t.Fatalf("write after the failure: %v", err)
			}
		})
	}
}

// TestNextWriterInvalidUTF8Deflate: a compressed text message dropped
// before any frame went out leaves no trace in the compressor, with or
// without context takeover: the messages after it reach the peer as they
// were written.
func TestNextWriterInvalidUTF8Deflate(t *testing.T) {
	for _, pm := range []deflateParams{noContextDeflate, {writeBits: 15, readBits: 15, level: 1}} {
		t.Run(fmt.Sprintf("noContext=%v", pm.writeNoContext), func(t *testing.T) {
			srv, cli := connPair(&Config{}, &pm)
			defer srv.Close()
			defer cli.Close()
			for _, msg := range []string{"before", "before again"} {
				if err := srv.WriteMessage(TextMessage, []byte(msg)); err != nil {
					t.Fatal(err)
				}
			}
			w, _ := srv.NextWriter(TextMessage)
			// More than the write buffer: the compressor takes it, and
			// its output (small) stays buffered.
			if _, err := w.Write([]byte(strings.Repeat("dropped ", 1000))); err != nil {
				t.Fatal(err)
			}
			if !srv.mw.deflate || srv.mw.op != opText {
				t.Fatalf("deflate %v, op %x: the case is not the one tested", srv.mw.deflate, srv.mw.op)
			}
			if _, err := w.Write([]byte("\xff")); err != ErrInvalidUTF8 {
				t.Fatalf("Write = %v", err)
			}
			if err := w.Close(); err != ErrInvalidUTF8 {
				t.Fatalf("Close = %v", err)
			}
			for _, msg := range []string{"Hello", "Hello", strings.Repeat("after ", 1000)} {
				if err := srv.WriteMessage(TextMessage, []byte(msg)); err != nil {
					t.Fatal(err)
				}
			}
			for _, want := range []string{"before", "before again", "Hello", "Hello", strings.Repeat("after ", 1000)} {
				if mt, p, err := cli.ReadMessage(); err != nil || mt != TextMessage || string(p) != want {
					t.Fatalf("read %v %.40q %v, want %.40q", mt, p, err, want)
				}
			}
		})
	}
}

// TestWriteCloseReasonUTF8: RFC 6455 section 5.5.1, the reason of a
// close frame is UTF-8: WriteClose refuses another, sends nothing, and a
// valid close can follow.
func TestWriteCloseReasonUTF8(t *testing.T) {
	srv, raw := rawServer(&Config{}, nil)
	defer raw.Close()
	for _, reason := range []string{"\xce", "bye\xff", "\xed\xa0\x80"} {
		if err := srv.WriteClose(StatusGoingAway, reason); err != ErrInvalidUTF8 {
			t.Fatalf("WriteClose(%q) = %v", reason, err)
		}
	}
	if err := srv.WriteClose(StatusGoingAway, "\u03ba bye"); err != nil {
		t.Fatal(err)
	}
	want := dehex("8808 03e9 ceba 20627965")
	got := make([]byte, len(want))
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(raw, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("sent % x %v, want % x", got, err, want)
	}
}

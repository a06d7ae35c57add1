package websocket

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"
)

// TestKeepWindow: with context takeover, the window holds the last
// 1<<readBits bytes of output.
func TestKeepWindow(t *testing.T) {
	c := &Conn{df: &deflateState{pm: deflateParams{readBits: 8}}}
	var all []byte
	for i := 0; i < 50; i++ {
		p := bytes.Repeat([]byte{byte(i)}, i*7%300)
		all = append(all, p...)
		c.keepWindow(p)
		want := all[max(0, len(all)-256):]
		if !bytes.Equal(c.df.rdict, want) {
			t.Fatalf("step %d: window of %d bytes differs", i, len(c.df.rdict))
		}
	}
}

// FuzzInflate: any payload of a compressed frame either inflates within
// the read limit or fails the connection with 1007 or 1009; and whatever
// a connection compresses, the other end inflates to the same bytes.
func FuzzInflate(f *testing.F) {
	f.Add(dehex("f248cdc9c90700"), []byte("Hello"))
	f.Add(dehex("0005 00faff 48656c6c6f 00"), []byte{})
	f.Add(dehex("f24805000000ffffcac9c90700"), bytes.Repeat([]byte("abc"), 1000))
	f.Add([]byte(deflateRaw(string(make([]byte, 1<<17)))), []byte("x"))
	f.Add([]byte{0xff, 0xff, 0xff}, []byte{0, 1, 2})
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, payload, data []byte) {
		cli, raw := rawClient(&Config{MaxMessageSize: limit}, &deflateParams{writeNoContext: true, readNoContext: true, writeBits: 15, readBits: 15, level: 1})
		raw.Write(serverFrame(true, bitRsv1, opBinary, string(payload)))
		_, p, err := cli.ReadMessage()
		switch {
		case err == nil:
			if len(p) > limit {
				t.Fatalf("%d bytes past the limit", len(p))
			}
		case CloseStatus(err) != StatusInvalidFramePayload && CloseStatus(err) != StatusMessageTooBig:
			t.Fatalf("error %v", err)
		}
		cli.Close()
		raw.Close()

		srv, c := connPair(&Config{MaxMessageSize: -1}, &noContextDeflate)
		defer srv.Close()
		defer c.Close()
		if err := c.WriteMessage(BinaryMessage, data); err != nil {
			t.Fatal(err)
		}
		if _, got, err := srv.ReadMessage(); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("round trip: %d bytes, %v", len(got), err)
		}
	})
}

// TestInflateBombStopsAtLimit: a compressed message that inflates far
// past the read limit (64 MiB of zeros, about 64 KiB on the wire) fails
// with 1009 and ErrReadLimit as soon as the output passes the limit: the
// read allocates well under twice the limit, however large the bomb.
func TestInflateBombStopsAtLimit(t *testing.T) {
	const limit = 1 << 20
	bomb := deflateRaw(string(make([]byte, 64<<20)))
	cli, raw := rawClient(&Config{MaxMessageSize: limit}, &noContextDeflate)
	defer cli.Close()
	defer raw.Close()
	raw.Write(serverFrame(true, bitRsv1, opBinary, bomb))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := cli.ReadMessage()
	runtime.ReadMemStats(&after)
	if CloseStatus(err) != StatusMessageTooBig || !errors.Is(err, ErrReadLimit) {
		t.Fatalf("read: %v", err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes on the wire, %d bytes allocated for a limit of %d", len(bomb), alloc, limit)
	if alloc > limit*3/2 {
		t.Fatalf("%d bytes allocated for a limit of %d", alloc, limit)
	}
	// The client sent close 1009 (masked).
	got := make([]byte, 8)
	raw.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _ := io.ReadFull(raw, got)
	h, hn, err := parseFrameHeader(got[:n])
	if err != nil || hn != 6 || h.op != opClose || h.length != 2 {
		t.Fatalf("sent % x", got[:n])
	}
	maskBytes(h.key, 0, got[hn:])
	if string(got[hn:]) != closePayload(StatusMessageTooBig, "") {
		t.Fatalf("close payload % x", got[hn:])
	}
}

// TestInflateLimitBoundary: a compressed message of exactly the read limit
// is read, whole, one byte more fails with 1009, on both read paths and
// across the pieces it is inflated into; with no limit nothing overflows.
func TestInflateLimitBoundary(t *testing.T) {
	for _, tc := range []struct {
		limit int64
		size  int
		ok    bool
	}{
		{3 * inflateChunk, 3 * inflateChunk, true},
		{3 * inflateChunk, 3*inflateChunk + 1, false},
		{100, 100, true},
		{100, 101, false},
		{-1, 1 << 20, true},
	} {
		for _, stream := range []bool{false, true} {
			cli, raw := rawClient(&Config{MaxMessageSize: tc.limit}, &noContextDeflate)
			data := bytes.Repeat([]byte("abcdefgh"), tc.size/8+1)[:tc.size]
			raw.Write(serverFrame(true, bitRsv1, opBinary, deflateRaw(string(data))))
			var p []byte
			var err error
			if stream {
				var r io.Reader
				if _, r, err = cli.NextReader(); err == nil {
					p, err = io.ReadAll(r)
				}
			} else {
				_, p, err = cli.ReadMessage()
			}
			switch {
			case tc.ok && (err != nil || !bytes.Equal(p, data)):
				t.Errorf("limit %d, %d bytes, stream %v: %d bytes, %v", tc.limit, tc.size, stream, len(p), err)
			case !tc.ok && CloseStatus(err) != StatusMessageTooBig:
				t.Errorf("limit %d, %d bytes, stream %v: %v", tc.limit, tc.size, stream, err)
			}
			cli.Close()
			raw.Close()
		}
	}
}

package websocket

import (
	"bytes"
	"testing"
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

package main

import (
	"fmt"
	"net"

	"github.com/volthttp/volt/bench"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/http2/hpack"
)

// h2GET speaks HTTP/2 over cleartext with prior knowledge on c: the
// preface, an empty SETTINGS frame, one GET /plaintext on stream 1, and
// the acknowledgement of the server's SETTINGS; it reads until the
// response ends and checks its body.
func h2GET(c net.Conn, authority string) error {
	enc := hpack.NewEncoder()
	var block []byte
	for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/plaintext"}, {":authority", authority}} {
		block = enc.AppendField(block, hpack.HeaderField{Name: []byte(kv[0]), Value: []byte(kv[1])})
	}
	out := append([]byte(http2.ClientPreface), http2.AppendSettings(nil)...)
	out = http2.AppendHeaders(out, 1, true, true, block)
	if _, err := c.Write(out); err != nil {
		return err
	}
	fr := http2.NewFrameReader(c)
	var body []byte
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return err
		}
		switch {
		case f.Type == http2.FrameSettings && !f.Flags.Has(http2.FlagAck):
			if _, err := c.Write(http2.AppendSettingsAck(nil)); err != nil {
				return err
			}
		case f.Type == http2.FrameGoAway || f.Type == http2.FrameRSTStream:
			return fmt.Errorf("%v %v", f.Type, f.Code)
		case f.Type == http2.FrameData && f.StreamID == 1:
			body = append(body, f.Data...)
		}
		if f.StreamID == 1 && f.Flags.Has(http2.FlagEndStream) {
			if string(body) != bench.HelloWorld {
				return fmt.Errorf("body %q", body)
			}
			// The reader's buffer is the client's, not the server's.
			fr.ReleaseBuffer()
			return nil
		}
	}
}

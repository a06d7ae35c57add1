package http2

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
	"github.com/volthttp/volt/websocket"
)

// wsClientFrame returns a masked WebSocket frame (RFC 6455 section 5.2)
// with opcode op and payload p, of at most 125 bytes.
func wsClientFrame(op byte, p []byte) []byte {
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	b := []byte{0x80 | op, 0x80 | byte(len(p))}
	b = append(b, mask[:]...)
	for i, c := range p {
		b = append(b, c^mask[i%4])
	}
	return b
}

// TestRFC8441_WebSocketOverStream: the server announces
// SETTINGS_ENABLE_CONNECT_PROTOCOL; an extended CONNECT with :protocol
// websocket gets 200 from websocket.Upgrader, the stream then carries
// WebSocket frames both ways (the server's unmasked), and the closing
// handshake ends the stream; the connection serves other streams meanwhile
// and afterwards.
func TestRFC8441_WebSocketOverStream(t *testing.T) {
	var up websocket.Upgrader
	upgraded := make(chan string, 1)
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if string(ctx.Path()) != "/ws" {
			ctx.SetBodyString("plain")
			return
		}
		if !websocket.IsUpgradeRequest(ctx) {
			t.Errorf("IsUpgradeRequest false for %s %s", ctx.Method(), ctx.Request.Header.ConnectProtocol())
		}
		err := up.Upgrade(ctx, func(c *websocket.Conn) {
			upgraded <- string(ctx.Request.Header.Protocol())
			for {
				mt, msg, err := c.ReadMessage()
				if err != nil {
					return
				}
				if err := c.WriteMessage(mt, msg); err != nil {
					return
				}
			}
		})
		if err != nil {
			t.Errorf("Upgrade: %v", err)
		}
	}}
	ts := newTestServer(t, srv, nil)
	c, err := net.Dial("tcp", ts.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rc := &rawClient{t: t, conn: c, fr: NewFrameReader(c), enc: hpack.NewEncoder(), dec: hpack.NewDecoder(4096)}
	rc.write(append([]byte(ClientPreface), AppendSettings(nil)...))
	f := rc.read()
	announced := false
	for _, s := range f.Settings {
		if s.ID == SettingEnableConnectProtocol && s.Val == 1 {
			announced = true
		}
	}
	if f.Type != FrameSettings || !announced {
		t.Fatalf("first frame %v %v: SETTINGS_ENABLE_CONNECT_PROTOCOL=1 not announced", f.Type, f.Settings)
	}
	rc.write(AppendSettingsAck(nil))
	rc.write(AppendHeaders(nil, 1, false, true, rc.block(":method", "CONNECT", ":protocol", "websocket",
		":scheme", "http", ":path", "/ws", ":authority", "example.com", "sec-websocket-version", "13")))
	var status string
	var data []byte
	readUntilData := func(want int) {
		t.Helper()
		for len(data) < want {
			f := rc.read()
			if f.StreamID != 1 {
				continue
			}
			switch f.Type {
			case FrameHeaders:
				if err := rc.dec.Decode(f.Data, func(hf hpackHeaderField) error {
					if string(hf.Name) == ":status" {
						status = string(hf.Value)
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			case FrameData:
				data = append(data, f.Data...)
				rc.write(AppendWindowUpdate(AppendWindowUpdate(nil, 0, uint32(len(f.Data))), 1, uint32(len(f.Data))))
			case FrameRSTStream:
				t.Fatalf("RST_STREAM %v", f.Code)
			}
			if f.Type == FrameHeaders && status != "" && status != "200" {
				t.Fatalf("status %s", status)
			}
		}
	}
	rc.write(AppendData(nil, 1, false, wsClientFrame(0x1, []byte("hello over h2"))))
	readUntilData(2 + len("hello over h2"))
	if status != "200" {
		t.Fatalf("status %q, want 200", status)
	}
	if want := append([]byte{0x81, byte(len("hello over h2"))}, "hello over h2"...); !bytes.Equal(data, want) {
		t.Fatalf("echo % x, want % x", data, want)
	}
	select {
	case p := <-upgraded:
		if p != "HTTP/2.0" {
			t.Fatalf("the handler saw %s", p)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no upgrade")
	}
	// Another stream is served while the WebSocket is open.
	rc.get(3, "/plain")
	if r := rc.readResponse(3); string(r.body) != "plain" {
		t.Fatalf("stream 3: %+v", r)
	}
	// The closing handshake: the server answers the close frame and ends
	// the stream.
	data = data[:0]
	code := binary.BigEndian.AppendUint16(nil, 1000)
	rc.write(AppendData(nil, 1, false, wsClientFrame(0x8, code)))
	readUntilData(4)
	if data[0] != 0x88 || binary.BigEndian.Uint16(data[2:4]) != 1000 {
		t.Fatalf("close frame % x", data)
	}
	for {
		f := rc.read()
		if f.StreamID == 1 && f.Flags.Has(FlagEndStream) {
			break
		}
		if f.Type == FrameRSTStream && f.StreamID == 1 && f.Code != ErrCodeNo {
			t.Fatalf("RST_STREAM %v", f.Code)
		}
	}
	rc.write(AppendData(nil, 1, true, nil))
	rc.get(5, "/plain")
	if r := rc.readResponse(5); string(r.body) != "plain" {
		t.Fatalf("stream 5: %+v", r)
	}
}

// TestRFC8441_ProtocolOnlyWithConnect: :protocol on another method is
// malformed, and with DisableExtendedConnect it is refused altogether.
func TestRFC8441_ProtocolOnlyWithConnect(t *testing.T) {
	for _, tc := range []struct {
		name string
		conf *Server
		kv   []string
	}{
		{"GET with :protocol", nil, []string{":method", "GET", ":protocol", "websocket", ":scheme", "http", ":path", "/", ":authority", "x"}},
		{"extended CONNECT without :path", nil, []string{":method", "CONNECT", ":protocol", "websocket", ":scheme", "http", ":authority", "x"}},
		{"disabled", &Server{DisableExtendedConnect: true}, []string{":method", "CONNECT", ":protocol", "websocket", ":scheme", "http", ":path", "/", ":authority", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ran := false
			ts := newTestServer(t, &volt.Server{Handler: func(ctx *volt.RequestCtx) { ran = true }}, tc.conf)
			rc := ts.dialRaw()
			rc.write(AppendHeaders(nil, 1, false, true, rc.block(tc.kv...)))
			if r := rc.readResponse(1); !r.reset || r.rst != ErrCodeProtocol {
				t.Fatalf("%+v, want RST_STREAM PROTOCOL_ERROR", r)
			}
			if ran {
				t.Fatal("the handler ran")
			}
		})
	}
}

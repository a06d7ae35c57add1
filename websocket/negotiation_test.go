package websocket

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// TestCompressionSettingsChecked: Compression.Level and MaxWindowBits out
// of range are refused with a clear error when compression is enabled.
func TestCompressionSettingsChecked(t *testing.T) {
	for _, tc := range []struct {
		c    Compression
		want error
	}{
		{Compression{Enabled: true}, nil},
		{Compression{Enabled: true, Level: 1}, nil},
		{Compression{Enabled: true, Level: 9}, nil},
		{Compression{Enabled: true, Level: -1}, nil},
		{Compression{Enabled: true, Level: -2}, nil},
		{Compression{Enabled: true, Level: -3}, ErrCompressionLevel},
		{Compression{Enabled: true, Level: 10}, ErrCompressionLevel},
		{Compression{Enabled: true, Level: 1 << 40}, ErrCompressionLevel},
		{Compression{Enabled: true, MaxWindowBits: 8}, nil},
		{Compression{Enabled: true, MaxWindowBits: 15}, nil},
		{Compression{Enabled: true, MaxWindowBits: 7}, ErrWindowBits},
		{Compression{Enabled: true, MaxWindowBits: 16}, ErrWindowBits},
		{Compression{Enabled: true, MaxWindowBits: -1}, ErrWindowBits},
		{Compression{Level: 42, MaxWindowBits: 42}, nil}, // not enabled: unused
	} {
		if err := tc.c.check(); err != tc.want {
			t.Errorf("%+v: %v, want %v", tc.c, err, tc.want)
		}
	}
}

// TestBadCompressionLevelRefused: an out-of-range Level fails Upgrade
// with 500 and ErrCompressionLevel, and Dial before it dials, instead of
// a panic at the first compressed message.
func TestBadCompressionLevelRefused(t *testing.T) {
	for _, level := range []int{10, -3} {
		upErr := make(chan error, 1)
		up := &Upgrader{Config: Config{Compression: Compression{Enabled: true, Level: level}}}
		srv := volttest.NewServer(func(ctx *volt.RequestCtx) { upErr <- up.Upgrade(ctx, echo) })
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := Dial(ctx, "ws://volttest.local/ws", &DialOptions{Dial: srv.Dial, Config: Config{Compression: Compression{Enabled: true}}})
		cancel()
		var he *HandshakeError
		if !errors.As(err, &he) || he.StatusCode != volt.StatusInternalServerError {
			if c != nil {
				c.Close()
			}
			t.Fatalf("level %d: dial: %v", level, err)
		}
		if err := <-upErr; !errors.Is(err, ErrCompressionLevel) {
			t.Fatalf("level %d: Upgrade: %v", level, err)
		}

		dialed := false
		opts := &DialOptions{
			Dial:   func(string) (net.Conn, error) { dialed = true; return nil, errors.New("no") },
			Config: Config{Compression: Compression{Enabled: true, Level: level}},
		}
		if _, err := Dial(context.Background(), "ws://volttest.local/ws", opts); !errors.Is(err, ErrCompressionLevel) || dialed {
			t.Fatalf("level %d: Dial: %v (dialed %v)", level, err, dialed)
		}
	}
}

// TestBrowserOfferBoundedWindow: a server with MaxWindowBits 10 answers
// the offer browsers send with client_max_window_bits=10, with and
// without context takeover, and declines an offer that cannot bound the
// client's window.
func TestBrowserOfferBoundedWindow(t *testing.T) {
	for _, tc := range []struct {
		cfg   Compression
		offer string
		want  string
	}{
		{Compression{Enabled: true, MaxWindowBits: 10}, "permessage-deflate; client_max_window_bits",
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10"},
		{Compression{Enabled: true, ContextTakeover: true, MaxWindowBits: 10}, "permessage-deflate; client_max_window_bits",
			"permessage-deflate; client_max_window_bits=10"},
		{Compression{Enabled: true, ContextTakeover: true}, "permessage-deflate; client_max_window_bits",
			"permessage-deflate"},
		{Compression{Enabled: true, ContextTakeover: true, MaxWindowBits: 10}, "permessage-deflate", ""},
	} {
		srv := startServer(t, &Upgrader{Config: Config{Compression: tc.cfg}}, echo)
		resp, _, _ := rawHandshake(t, srv, goodRequest+"Sec-WebSocket-Extensions: "+tc.offer+"\r\n\r\n")
		if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Extensions") != tc.want {
			t.Errorf("%+v, offer %q: %d %q, want %q", tc.cfg, tc.offer, resp.StatusCode, resp.Header.Get("Sec-WebSocket-Extensions"), tc.want)
		}
	}
}

// TestBoundedWindowRoundTrips: a client dialing a server with
// MaxWindowBits 10 compresses within 1 KiB windows, and a client with
// MaxWindowBits 9 gets a server that does; messages with context takeover
// go both ways.
func TestBoundedWindowRoundTrips(t *testing.T) {
	for _, tc := range []struct {
		server, client   int // MaxWindowBits
		clientW, clientR int // the client's negotiated windows
	}{
		{10, 0, 10, 15},
		{0, 9, 15, 9},
		{10, 9, 10, 9},
	} {
		up := &Upgrader{Config: Config{Compression: Compression{Enabled: true, ContextTakeover: true, MaxWindowBits: tc.server}}}
		srv := startServer(t, up, echo)
		cli := dialServer(t, srv, &DialOptions{Config: Config{Compression: Compression{Enabled: true, ContextTakeover: true, MaxWindowBits: tc.client}}})
		if pm := cli.df.pm; pm.writeBits != tc.clientW || pm.readBits != tc.clientR {
			t.Fatalf("%+v: client windows %d/%d", tc, pm.writeBits, pm.readBits)
		}
		for i := 0; i < 5; i++ {
			msg := bytes.Repeat([]byte("a repeated line of text, number "+string(rune('0'+i))+"\n"), 200)
			if err := cli.WriteMessage(TextMessage, msg); err != nil {
				t.Fatal(err)
			}
			if _, p, err := cli.ReadMessage(); err != nil || !bytes.Equal(p, msg) {
				t.Fatalf("%+v: message %d: %d bytes, %v", tc, i, len(p), err)
			}
		}
	}
}

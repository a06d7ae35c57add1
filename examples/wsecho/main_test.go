package main

import (
	"bytes"
	"context"
	"github.com/volthttp/volt"
	"testing"

	"github.com/volthttp/volt/volttest"
	"github.com/volthttp/volt/websocket"
)

func TestEcho(t *testing.T) {
	srv := volttest.NewServer(handler)
	defer srv.Close()
	for _, comp := range []bool{false, true} {
		c, err := websocket.Dial(context.Background(), "ws://volttest.local/ws", &websocket.DialOptions{
			Dial:   srv.Dial,
			Config: websocket.Config{Compression: websocket.Compression{Enabled: comp}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Compressed() != comp {
			t.Fatalf("compressed = %v", c.Compressed())
		}
		for _, m := range []struct {
			mt   websocket.MessageType
			data []byte
		}{{websocket.TextMessage, []byte("hello")}, {websocket.BinaryMessage, bytes.Repeat([]byte{1, 2, 3}, 10000)}} {
			c.WriteMessage(m.mt, m.data)
			mt, got, err := c.ReadMessage()
			if err != nil || mt != m.mt || !bytes.Equal(got, m.data) {
				t.Fatalf("echo: %v %d bytes %v", mt, len(got), err)
			}
		}
		c.Close()
	}
	if status, _, _ := srv.Client().Get(nil, srv.URL+"/other"); status != 404 {
		t.Fatalf("other path: %d", status)
	}
}

func TestServerHasTimeouts(t *testing.T) {
	s := newServer(func(*volt.RequestCtx) {})
	if s.HeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.WriteTimeout <= 0 || s.IdleTimeout <= 0 {
		t.Errorf("%+v", s)
	}
}

package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	gorilla "github.com/gorilla/websocket"
)

// TestEventServerGorillaClient: gorilla/websocket's client against the
// event-driven server, with and without permessage-deflate: text, binary,
// a 1 MiB message, a ping, and the closing handshake.
func TestEventServerGorillaClient(t *testing.T) {
	for _, compress := range []bool{false, true} {
		u, srv, err := startEventServer(compress)
		if err != nil {
			t.Fatal(err)
		}
		d := gorilla.Dialer{EnableCompression: compress, HandshakeTimeout: 5 * time.Second}
		c, resp, err := d.Dial(u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.Header.Get("Sec-WebSocket-Extensions") != ""; got != compress {
			t.Fatalf("compress %v: extensions %q", compress, resp.Header.Get("Sec-WebSocket-Extensions"))
		}
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
		for i, m := range [][]byte{[]byte("hello, κόσμε"), {0, 1, 2, 3}, big} {
			mt := gorilla.BinaryMessage
			if i == 0 {
				mt = gorilla.TextMessage
			}
			time.Sleep(5 * time.Millisecond) // the server parks between messages
			if err := c.WriteMessage(mt, m); err != nil {
				t.Fatal(err)
			}
			got, p, err := c.ReadMessage()
			if err != nil || got != mt || !bytes.Equal(p, m) {
				t.Fatalf("compress %v, message %d: %v %d bytes %v", compress, i, got, len(p), err)
			}
		}
		pong := make(chan string, 1)
		c.SetPongHandler(func(s string) error { pong <- s; return nil })
		c.WriteControl(gorilla.PingMessage, []byte("hi"), time.Now().Add(time.Second))
		c.WriteMessage(gorilla.TextMessage, []byte("after ping"))
		if _, p, err := c.ReadMessage(); err != nil || string(p) != "after ping" {
			t.Fatalf("after ping: %q %v", p, err)
		}
		if s := <-pong; s != "hi" {
			t.Fatalf("pong %q", s)
		}
		c.WriteMessage(gorilla.CloseMessage, gorilla.FormatCloseMessage(4000, "bye"))
		if _, _, err := c.ReadMessage(); !gorilla.IsCloseError(err, 4000) {
			t.Fatalf("close: %v", err)
		}
		c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
}

package websocket_test

import (
	"context"
	"testing"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/volttest"
	"github.com/volthttp/volt/websocket"
)

// h2Echo echoes and reports the close.
type h2Echo struct{ closed chan error }

func (h2Echo) OnOpen(*websocket.Conn) {}
func (h2Echo) OnMessage(c *websocket.Conn, mt websocket.MessageType, p []byte) {
	_ = c.WriteMessage(mt, p)
}
func (h h2Echo) OnClose(_ *websocket.Conn, err error) { h.closed <- err }

// TestEventsOverHTTP2: RFC 8441, UpgradeEvents on an extended CONNECT
// stream gives the same events (the stream keeps a goroutine).
func TestEventsOverHTTP2(t *testing.T) {
	var up websocket.Upgrader
	h := h2Echo{closed: make(chan error, 1)}
	srv := volttest.NewUnstartedServer(func(ctx *volt.RequestCtx) { _ = up.UpgradeEvents(ctx, h) })
	http2.ConfigureServer(srv.Config, nil)
	srv.Start()
	defer srv.Close()
	hc := &volt.Client{ConnConfig: volt.ConnConfig{Dial: srv.Dial, HTTP2PriorKnowledge: true}}
	defer hc.CloseIdleConnections()
	c, err := websocket.Dial(context.Background(), "ws://volttest.local/ws", &websocket.DialOptions{HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !c.IsHTTP2() {
		t.Fatal("not over HTTP/2")
	}
	c.WriteMessage(websocket.TextMessage, []byte("h2"))
	if _, p, err := c.ReadMessage(); err != nil || string(p) != "h2" {
		t.Fatalf("%q %v", p, err)
	}
	c.WriteClose(4000, "bye")
	if err := <-h.closed; websocket.CloseStatus(err) != 4000 {
		t.Fatalf("OnClose: %v", err)
	}
}

package websocket_test

import (
	"context"
	"fmt"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
	"github.com/volthttp/volt/websocket"
)

// upperEcho answers each message in upper case, and reports the close.
type upperEcho struct{ closed chan error }

func (upperEcho) OnOpen(c *websocket.Conn) {
	c.WriteMessage(websocket.TextMessage, []byte("welcome"))
}

func (upperEcho) OnMessage(c *websocket.Conn, mt websocket.MessageType, p []byte) {
	out := make([]byte, len(p))
	for i, b := range p {
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		out[i] = b
	}
	c.WriteMessage(mt, out)
}

func (h upperEcho) OnClose(c *websocket.Conn, err error) { h.closed <- err }

// An event-driven server: no goroutine waits for an idle connection's
// next message (on a TCP listener on Linux; the in-memory listener here
// keeps one, with the same events).
func ExampleUpgrader_UpgradeEvents() {
	var upgrader websocket.Upgrader
	h := upperEcho{closed: make(chan error, 1)}
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		_ = upgrader.UpgradeEvents(ctx, h)
	})
	defer srv.Close()

	c, err := websocket.Dial(context.Background(), "ws://volttest.local/", &websocket.DialOptions{Dial: srv.Dial})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	_, msg, _ := c.ReadMessage()
	fmt.Println(string(msg))
	c.WriteMessage(websocket.TextMessage, []byte("hello"))
	_, msg, _ = c.ReadMessage()
	fmt.Println(string(msg))
	c.WriteClose(websocket.StatusNormalClosure, "done")
	fmt.Println(websocket.CloseStatus(<-h.closed))
	// Output:
	// welcome
	// HELLO
	// 1000 (normal closure)
}

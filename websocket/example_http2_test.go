package websocket_test

import (
	"context"
	"fmt"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2" // links HTTP/2 into volt's client and server
	"github.com/volthttp/volt/volttest"
	"github.com/volthttp/volt/websocket"
)

// Three WebSockets as streams of one HTTP/2 connection (RFC 8441): the
// server is configured for HTTP/2, and the client's volt.Client speaks it
// by prior knowledge (over TLS, ALPN chooses it). The in-memory server
// counts the connections it accepted.
func ExampleDial_http2() {
	var upgrader websocket.Upgrader
	srv := volttest.NewUnstartedServer(func(ctx *volt.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(c *websocket.Conn) {
			mt, msg, err := c.ReadMessage()
			if err == nil {
				_ = c.WriteMessage(mt, msg)
			}
			_, _, _ = c.ReadMessage() // until the client closes
		})
	})
	http2.ConfigureServer(srv.Config, nil)
	srv.Start()
	defer srv.Close()

	hc := &volt.Client{ConnConfig: volt.ConnConfig{Dial: srv.Dial, HTTP2PriorKnowledge: true}}
	defer hc.CloseIdleConnections()
	for i := range 3 {
		c, err := websocket.Dial(context.Background(), "ws://volttest.local/ws", &websocket.DialOptions{HTTP: hc})
		if err != nil {
			fmt.Println(err)
			return
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, "hello %d", i))
		_, msg, _ := c.ReadMessage()
		fmt.Printf("%s over HTTP/2: %v\n", msg, c.IsHTTP2())
	}
	fmt.Println("connections:", srv.Config.Stats().AcceptedConns)
	// Output:
	// hello 0 over HTTP/2: true
	// hello 1 over HTTP/2: true
	// hello 2 over HTTP/2: true
	// connections: 1
}

package websocket_test

import (
	"context"
	"fmt"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
	"github.com/volthttp/volt/websocket"
)

// An echo server and a client that talks to it, on an in-memory
// listener.
func Example() {
	var upgrader websocket.Upgrader
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(c *websocket.Conn) {
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
	})
	defer srv.Close()

	c, err := websocket.Dial(context.Background(), "ws://volttest.local/echo", &websocket.DialOptions{Dial: srv.Dial})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	c.WriteMessage(websocket.TextMessage, []byte("hello"))
	mt, msg, _ := c.ReadMessage()
	fmt.Println(mt, string(msg))

	c.WriteClose(websocket.StatusNormalClosure, "done")
	_, _, err = c.ReadMessage()
	fmt.Println(websocket.CloseStatus(err))
	// Output:
	// text hello
	// 1000 (normal closure)
}

// Compression is negotiated when both sides enable it.
func ExampleCompression() {
	cfg := websocket.Config{Compression: websocket.Compression{Enabled: true}}
	upgrader := websocket.Upgrader{Config: cfg}
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(c *websocket.Conn) {
			c.WriteMessage(websocket.TextMessage, []byte(fmt.Sprint("compressed: ", c.Compressed())))
			c.ReadMessage()
		})
	})
	defer srv.Close()
	c, err := websocket.Dial(context.Background(), "ws://volttest.local/", &websocket.DialOptions{Config: cfg, Dial: srv.Dial})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	_, msg, _ := c.ReadMessage()
	fmt.Println(string(msg))
	// Output: compressed: true
}

// Sending one message to many connections.
func ExampleBroadcast() {
	var upgrader websocket.Upgrader
	joined := make(chan *websocket.Conn)
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		_ = upgrader.Upgrade(ctx, func(c *websocket.Conn) {
			joined <- c
			c.ReadMessage() // until the client closes
		})
	})
	defer srv.Close()
	var clients []*websocket.Conn
	var room []*websocket.Conn
	for i := 0; i < 3; i++ {
		c, err := websocket.Dial(context.Background(), "ws://volttest.local/", &websocket.DialOptions{Dial: srv.Dial})
		if err != nil {
			fmt.Println(err)
			return
		}
		defer c.Close()
		clients = append(clients, c)
		room = append(room, <-joined)
	}
	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, []byte("tick"))
	if err := websocket.Broadcast(pm, room); err != nil {
		fmt.Println(err)
	}
	for _, c := range clients {
		_, msg, _ := c.ReadMessage()
		fmt.Print(string(msg), " ")
	}
	fmt.Println()
	// Output: tick tick tick
}

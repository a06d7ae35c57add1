// Command wsecho is the smallest WebSocket server: it echoes every message
// received on /ws, text as text and binary as binary, compressed when the
// client offers permessage-deflate. It is also a target for conformance
// tools such as the Autobahn test suite's fuzzing client.
//
//	go run ./examples/wsecho -addr 127.0.0.1:8080
package main

import (
	"flag"
	"log"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

var upgrader = websocket.Upgrader{
	Config: websocket.Config{
		MaxMessageSize: 64 << 20,
		WriteTimeout:   30 * time.Second, // a client that stops reading is dropped
		Compression:    websocket.Compression{Enabled: true},
	},
	// Conformance tools send an Origin of their own.
	CheckOrigin: func(*volt.RequestCtx) bool { return true },
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	srv := newServer(handler)
	log.Printf("echoing WebSocket messages on ws://%s/ws", *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}

func handler(ctx *volt.RequestCtx) {
	if string(ctx.Path()) != "/ws" {
		ctx.NotFound()
		return
	}
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
}

// newServer returns the server of handler, with a limit on every wait (a WebSocket, once upgraded, has its own: see websocket.Config).
func newServer(handler volt.RequestHandler) *volt.Server {
	return &volt.Server{
		Handler:       handler,
		HeaderTimeout: 10 * time.Second,
		ReadTimeout:   30 * time.Second,
		WriteTimeout:  30 * time.Second,
		IdleTimeout:   60 * time.Second,
		MaxConnsPerIP: 64,
	}
}

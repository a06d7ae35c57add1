package main

import (
	"net"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/websocket"
)

// echoEvents is the event-driven echo server: every message goes back.
type echoEvents struct{}

func (echoEvents) OnOpen(*websocket.Conn) {}

func (echoEvents) OnMessage(c *websocket.Conn, mt websocket.MessageType, p []byte) {
	_ = c.WriteMessage(mt, p)
}

func (echoEvents) OnClose(*websocket.Conn, error) {}

// startEventServer serves event-driven WebSocket echo connections
// (Upgrader.UpgradeEvents) on 127.0.0.1 and returns the URL and the
// server.
func startEventServer(compress bool) (string, *volt.Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	up := &websocket.Upgrader{Config: websocket.Config{Compression: websocket.Compression{Enabled: compress}}}
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) { _ = up.UpgradeEvents(ctx, echoEvents{}) }}
	go srv.Serve(ln)
	return "ws://" + ln.Addr().String() + "/ws", srv, nil
}

// Command chat is a chat room in the browser: open http://127.0.0.1:8080
// in several tabs (or browsers) and talk. The page connects to /ws with a
// WebSocket; the server sends every message to everyone in the room,
// framed and compressed once (websocket.PreparedMessage).
//
//	go run ./examples/chat -addr 127.0.0.1:8080
package main

import (
	"flag"
	"log"
	"time"

	"github.com/volthttp/volt"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	srv := newServer(newChat().serve)
	log.Printf("chat: open http://%s/ in several tabs", *addr)
	log.Fatal(srv.ListenAndServe(*addr))
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

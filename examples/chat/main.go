// Command chat is a chat room in the browser: open http://127.0.0.1:8080
// in several tabs (or browsers) and talk. The page connects to /ws with a
// WebSocket; the server sends every message to everyone in the room,
// framed and compressed once (websocket.PreparedMessage).
//
//	go run ./examples/chat -addr 127.0.0.1:8080
//	go run ./examples/chat -tls   # HTTPS and HTTP/2, self-signed
//
// With -tls a browser loads the page over HTTP/2 and, as the server
// announces RFC 8441, opens the WebSocket as a stream of the same
// connection; the server logs which protocol carried each one.
package main

import (
	"flag"
	"log"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/tlsutil"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	useTLS := flag.Bool("tls", false, "serve HTTPS (and HTTP/2) with a self-signed certificate")
	flag.Parse()
	srv := newServer(newChat().serve)
	if !*useTLS {
		log.Printf("chat: open http://%s/ in several tabs", *addr)
		log.Fatal(srv.ListenAndServe(*addr))
	}
	cert, _, err := tlsutil.SelfSigned()
	if err != nil {
		log.Fatal(err)
	}
	srv.TLSConfig = tlsutil.ServerConfig(cert)
	log.Printf("chat: open https://%s/ in several tabs (self-signed: accept the warning)", *addr)
	log.Fatal(srv.ListenAndServeTLS(*addr, "", ""))
}

// newServer returns the server of handler, with a limit on every wait (a WebSocket, once upgraded, has its own: see websocket.Config).
func newServer(handler volt.RequestHandler) *volt.Server {
	srv := &volt.Server{
		Handler:       handler,
		HeaderTimeout: 10 * time.Second,
		ReadTimeout:   30 * time.Second,
		WriteTimeout:  30 * time.Second,
		IdleTimeout:   60 * time.Second,
		MaxConnsPerIP: 64,
	}
	// HTTP/2 over TLS (and h2c), WebSocket over HTTP/2 streams included.
	http2.ConfigureServer(srv, nil)
	return srv
}

// Command fileserver serves a directory with compression, byte ranges,
// conditional requests and directory listings (volt.FS).
//
//	go run ./examples/fileserver -addr 127.0.0.1:8080 -root DIR
package main

import (
	"flag"
	"log"
	"time"

	"github.com/volthttp/volt"
)

// newHandler returns the file server's handler for the directory root.
func newHandler(root string) volt.RequestHandler {
	fs := &volt.FS{
		Root:               root,
		GenerateIndexPages: true,
		Compress:           true,
		AcceptByteRange:    true,
	}
	return fs.Handler()
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	root := flag.String("root", ".", "directory to serve")
	flag.Parse()

	srv := newServer(newHandler(*root))
	log.Printf("volt fileserver: serving %s on http://%s/", *root, *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}

// newServer returns the server of handler, with a limit on every wait.
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

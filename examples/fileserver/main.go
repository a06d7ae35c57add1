// Command fileserver serves a directory with compression, byte ranges,
// conditional requests and directory listings (volt.FS).
//
//	go run ./examples/fileserver -addr 127.0.0.1:8080 -root DIR
package main

import (
	"flag"
	"log"

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

	srv := &volt.Server{Handler: newHandler(*root)}
	log.Printf("volt fileserver: serving %s on http://%s/", *root, *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}

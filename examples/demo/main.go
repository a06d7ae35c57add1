// Command demo is a tour of volt in the browser: its index page links to a
// page for each capability.
//
//	go run ./examples/demo            # then open http://127.0.0.1:8080
//	go run ./examples/demo -addr 127.0.0.1:9000
package main

import (
	"flag"
	"log"

	"github.com/volthttp/volt"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	srv := &volt.Server{Handler: newDemo().serve, MaxRequestBodySize: 64 << 20}
	log.Printf("volt demo: open http://%s/ in a browser", *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}

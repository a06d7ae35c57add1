// Command hello is the smallest volt server: GET / answers "Hello, World!"
// and POST /echo sends the request body back with its Content-Type.
//
//	go run ./examples/hello -addr 127.0.0.1:8080
package main

import (
	"flag"
	"log"

	"github.com/volthttp/volt"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	srv := &volt.Server{Handler: handler}
	log.Printf("listening on http://%s", *addr)
	log.Fatal(srv.ListenAndServe(*addr))
}

func handler(ctx *volt.RequestCtx) {
	switch {
	case ctx.IsGet() && string(ctx.Path()) == "/":
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("Hello, World!")
	case ctx.IsPost() && string(ctx.Path()) == "/echo":
		ctx.Response.Header.SetContentTypeBytes(ctx.Request.Header.ContentType())
		ctx.SetBody(ctx.PostBody())
	default:
		ctx.NotFound()
	}
}

package prefork_test

import (
	"log"
	"os"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/prefork"
)

// A server in four processes. The same program runs as the parent, which
// listens and supervises, and as each child, which serves.
func Example() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("served by a child\n")
	}}
	if !prefork.IsChild() {
		log.Printf("parent %d starting", os.Getpid())
	}
	p := &prefork.Prefork{Children: 4}
	if err := p.ListenAndServe(":8080", srv); err != nil {
		log.Fatal(err)
	}
}

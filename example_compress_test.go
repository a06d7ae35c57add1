package volt_test

import (
	"strings"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

func ExampleCompressHandler() {
	page := strings.Repeat("<p>compress me</p>\n", 100)
	h := func(ctx *volt.RequestCtx) {
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.WriteString(page)
	}
	srv := &volt.Server{Handler: volt.CompressHandler(h, nil)} // nil: the defaults
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	show(ln, "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n", "Content-Encoding", "Vary")
	show(ln, "GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: br;q=0.5, gzip\r\n\r\n", "Content-Encoding")
	show(ln, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "Content-Encoding", "Vary")
	// Output:
	// 200 Content-Encoding="br" Vary="Accept-Encoding" body compressed
	// 200 Content-Encoding="gzip" body compressed
	// 200 Content-Encoding="" Vary="Accept-Encoding" body=1900 bytes
}

func ExampleRequest_BodyDecoded() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		body, err := ctx.Request.BodyDecoded(1 << 20) // at most 1 MiB decoded
		switch err {
		case nil:
			ctx.Write(body)
		case volt.ErrBodyTooLarge:
			ctx.Error("too large", volt.StatusRequestEntityTooLarge)
		default:
			ctx.Error(err.Error(), volt.StatusBadRequest)
		}
	}}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	// "hello" compressed with gzip.
	gz := "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\xcaH\xcd\xc9\xc9\x07\x04\x00\x00\xff\xff\x86\xa6\x106\x05\x00\x00\x00"
	get(ln, "POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: 29\r\n\r\n"+gz)
	// Output: 200 text/plain; charset=utf-8 "hello"
}

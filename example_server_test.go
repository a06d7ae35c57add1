package volt_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

// get sends one request on an in-memory connection and prints the answer.
func get(ln *volttest.Listener, raw string) {
	c, err := ln.Dial()
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, raw)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d %s %q\n", resp.StatusCode, resp.Header.Get("Content-Type"), body)
}

func ExampleServer() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetContentType("text/plain; charset=utf-8")
		fmt.Fprintf(ctx, "Hello, %s!", ctx.QueryArgs().Peek("name"))
	}}
	ln := volttest.NewListener() // or net.Listen("tcp", "127.0.0.1:8080")
	go srv.Serve(ln)
	defer srv.Close()

	get(ln, "GET /?name=volt HTTP/1.1\r\nHost: example.com\r\n\r\n")
	// Output: 200 text/plain; charset=utf-8 "Hello, volt!"
}

func ExampleServer_strictParsing() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {}}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	// Content-Length and Transfer-Encoding together: a smuggling attempt.
	get(ln, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
	// No Host header in HTTP/1.1.
	get(ln, "GET / HTTP/1.1\r\n\r\n")
	// Output:
	// 400 text/plain; charset=utf-8 "Bad Request"
	// 400 text/plain; charset=utf-8 "Bad Request"
}

func ExampleRequestCtx_Flush() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(ctx, "part %d;", i)
			ctx.Flush() // sent to the client now, as a chunk
		}
	}}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	get(ln, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
	// Output: 200 text/plain; charset=utf-8 "part 1;part 2;part 3;"
}

func ExampleRequestCtx_PostArgs() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		for k, v := range ctx.PostArgs().All() {
			fmt.Fprintf(ctx, "%s=%s;", k, v)
		}
	}}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	form := "color=red&size=L&color=blue"
	get(ln, fmt.Sprintf("POST /order HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", len(form), form))
	// Output: 200 text/plain; charset=utf-8 "color=red;size=L;color=blue;"
}

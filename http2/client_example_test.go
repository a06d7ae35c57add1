package http2_test

import (
	"fmt"
	"net"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
)

// A request over an HTTP/2 connection with prior knowledge (h2c) to a
// volt server.
func ExampleClientConn() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("hello over " + string(ctx.Request.Header.Protocol()))
	}}
	http2.ConfigureServer(srv, nil)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		panic(err)
	}
	cc, err := http2.NewClientConn(c, nil)
	if err != nil {
		panic(err)
	}
	defer cc.Close()

	req := volt.AcquireRequest()
	defer volt.ReleaseRequest(req)
	req.SetRequestURI("http://example.com/")
	resp := volt.AcquireResponse()
	defer volt.ReleaseResponse(resp)
	if err := cc.Do(req, resp); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode(), string(resp.Body()))
	// Output: 200 hello over HTTP/2.0
}

package http2_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

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

// A response body read as it arrives, and a tunnel through a CONNECT
// stream to a handler that echoes it.
func ExampleClientConn_RoundTrip() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		if ctx.Request.Header.IsConnect() {
			ctx.Hijack(func(c net.Conn) { _, _ = io.Copy(c, c) })
			return
		}
		ctx.SetBodyString("streamed body")
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
	o := volt.MuxRoundTrip{Deadline: time.Now().Add(5 * time.Second), StreamBody: true}
	if err := cc.RoundTrip(context.Background(), req, resp, o); err != nil {
		panic(err)
	}
	body, err := io.ReadAll(resp.BodyStream())
	fmt.Println(resp.StatusCode(), string(body), err)

	req.Header.SetMethod("CONNECT")
	req.SetRequestURI("http://backend.example:443")
	tun, err := cc.Tunnel(context.Background(), req, resp)
	if err != nil {
		panic(err)
	}
	defer tun.Close()
	_, _ = tun.Write([]byte("ping"))
	p := make([]byte, 4)
	_, err = io.ReadFull(tun, p)
	fmt.Println(resp.StatusCode(), string(p), err)
	// Output:
	// 200 streamed body <nil>
	// 200 ping <nil>
}

// volt.Client and volt.HostClient speak HTTP/2 once this package is
// linked: to https servers that choose h2 by ALPN, and to http servers
// with HTTP2PriorKnowledge, as here. Many requests share the connection.
func Example_hostClient() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("hello over " + string(ctx.Request.Header.Protocol()))
	}}
	http2.ConfigureServer(srv, nil)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	hc := &volt.HostClient{Addr: ln.Addr().String(), ConnConfig: volt.ConnConfig{HTTP2PriorKnowledge: true}}
	defer hc.CloseIdleConnections()
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI("http://" + ln.Addr().String() + "/")
	for range 3 {
		if err := hc.Do(req, resp); err != nil {
			panic(err)
		}
	}
	fmt.Println(resp.StatusCode(), resp.Header.IsHTTP2(), string(resp.Body()), hc.ConnsCount())
	// Output: 200 true hello over HTTP/2.0 1
}

package http2_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	xhttp2 "golang.org/x/net/http2"
)

// ExampleConfigureServer serves HTTP/2 over cleartext TCP (h2c) on a
// loopback listener and makes one request with a client that speaks
// HTTP/2 with prior knowledge.
func ExampleConfigureServer() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		ctx.SetBodyString("hello over " + string(ctx.Request.Header.Protocol()))
	}}
	http2.ConfigureServer(srv, &http2.Server{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	tr := &xhttp2.Transport{
		AllowHTTP: true, // h2c: no TLS
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	resp, err := client.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Proto, resp.StatusCode)
	fmt.Println(string(body))
	// Output:
	// HTTP/2.0 200
	// hello over HTTP/2.0
}

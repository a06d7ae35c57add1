package proxy_test

import (
	"fmt"
	"net"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/proxy"
	"github.com/volthttp/volt/volttest"
)

// A proxy in front of an upstream server: the upstream sees the client
// through X-Forwarded-For and the proxy in Via.
func Example() {
	// The upstream, on a loopback port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	upstream := &volt.Server{Handler: func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "%s via %s for %s", ctx.Path(),
			ctx.Request.Header.Peek("Via"), ctx.Request.Header.Peek("X-Forwarded-Proto"))
	}}
	go upstream.Serve(ln)
	defer upstream.Close()

	p, err := proxy.New(proxy.Config{Upstreams: []string{"http://" + ln.Addr().String()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()

	// The proxy, on an in-memory listener.
	front := volttest.NewUnstartedServer(p.Handler)
	front.Config.StreamRequestBody = true
	front.Start()
	defer front.Close()

	status, body, err := front.Client().Get(nil, front.URL+"/hello")
	fmt.Println(status, string(body), err)
	// Output: 200 /hello via 1.1 volt for http <nil>
}

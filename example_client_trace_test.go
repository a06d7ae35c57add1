package volt_test

import (
	"fmt"
	"net"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

func ExampleClientTrace() {
	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) { ctx.WriteString("ok") }}
	ln := volttest.NewListener()
	go srv.Serve(ln)
	defer srv.Close()

	var start time.Time
	trace := &volt.ClientTrace{
		ConnectStart: func(network, addr string) { fmt.Println("connect", addr) },
		GotConn: func(i volt.GotConnInfo) {
			fmt.Println("got connection, reused:", i.Reused)
		},
		WroteRequest: func(err error) { start = time.Now() },
		GotFirstResponseByte: func() {
			_ = time.Since(start) // the server's think time plus one round trip
			fmt.Println("first response byte")
		},
	}
	hc := &volt.HostClient{Addr: "api.test:80", ConnConfig: volt.ConnConfig{
		Dial:  func(string) (net.Conn, error) { return ln.Dial() },
		Trace: trace,
	}}
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI("http://api.test/items")
	for i := 0; i < 2; i++ {
		if err := hc.Do(req, resp); err != nil {
			panic(err)
		}
	}
	// Output:
	// connect api.test:80
	// got connection, reused: false
	// first response byte
	// got connection, reused: true
	// first response byte
}

func ExampleDialer() {
	// Reach a server on a Unix socket under a made-up host name, and keep
	// names in the DNS cache for 10 seconds.
	d := &volt.Dialer{
		DNSCacheTTL: 10 * time.Second,
		ConnectTo:   map[string]string{"app.local:80": "unix:/run/app.sock"},
	}
	c := &volt.Client{ConnConfig: volt.ConnConfig{Dial: d.Dial}}
	_, _, _ = c.Get(nil, "http://app.local/status")
}

func ExampleProxyFromEnvironment() {
	// HTTP_PROXY, HTTPS_PROXY and NO_PROXY choose the proxy of each
	// connection; ProxyURL would use one proxy for all.
	c := &volt.Client{ConnConfig: volt.ConnConfig{Proxy: volt.ProxyFromEnvironment}}
	_, _, _ = c.Get(nil, "https://example.com/")
}

package volt_test

import (
	"fmt"
	"net"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/volttest"
)

func ExampleHostClient() {
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		fmt.Fprintf(ctx, "%s %s", ctx.Method(), ctx.Path())
	})
	defer srv.Close()

	hc := &volt.HostClient{
		Addr:       "api.internal:8080",
		ConnConfig: volt.ConnConfig{Dial: srv.Dial, MaxConns: 16},
	}
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI("http://api.internal:8080/v1/items")
	if err := hc.Do(req, resp); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode(), string(resp.Body()))
	// Output: 200 GET /v1/items
}

func ExampleClient_Get() {
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		ctx.WriteString("pong")
	})
	defer srv.Close()
	c := &volt.Client{ConnConfig: volt.ConnConfig{Dial: srv.Dial}}

	var buf []byte // reused across calls: no allocation once warm
	for i := 0; i < 2; i++ {
		status, body, err := c.Get(buf[:0], "http://example.test/ping")
		fmt.Println(status, string(body), err)
		buf = body
	}
	// Output:
	// 200 pong <nil>
	// 200 pong <nil>
}

func ExampleLBClient() {
	var backends []volt.BalancingClient
	for _, name := range []string{"a", "b"} {
		srv := volttest.NewServer(func(ctx *volt.RequestCtx) { ctx.WriteString(name) })
		defer srv.Close()
		dial := srv.Dial
		backends = append(backends, &volt.HostClient{
			Addr:       name + ".internal:80",
			ConnConfig: volt.ConnConfig{Dial: func(string) (net.Conn, error) { return dial("") }},
		})
	}
	lb := &volt.LBClient{Clients: backends}
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	req.SetRequestURI("http://service/")
	seen := map[string]bool{}
	for i := 0; i < 10; i++ {
		if err := lb.Do(req, resp); err != nil {
			panic(err)
		}
		seen[string(resp.Body())] = true
	}
	fmt.Println(len(seen), "backends used")
	// Output: 2 backends used
}

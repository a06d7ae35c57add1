package sse_test

import (
	"context"
	"fmt"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2" // links HTTP/2 into volt's client and server
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/volttest"
)

// Two subscriptions at once as streams of one HTTP/2 connection: the
// server is configured for HTTP/2 and the client's volt.Client speaks it
// by prior knowledge (over TLS, ALPN chooses it). The in-memory server
// counts the connections it accepted.
func ExampleClient_http2() {
	var b sse.Broker
	defer b.Close()
	srv := volttest.NewUnstartedServer(b.Handler("news"))
	http2.ConfigureServer(srv.Config, nil)
	srv.Start()
	defer srv.Close()

	hc := &volt.Client{ConnConfig: volt.ConnConfig{Dial: srv.Dial, HTTP2PriorKnowledge: true,
		StreamResponseBody: true, MaxResponseBodySize: -1}}
	defer hc.CloseIdleConnections()
	c := sse.Client{HTTP: hc}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 2)
	for _, name := range []string{"first", "second"} {
		go c.Subscribe(ctx, srv.URL+"/events", "", func(ev *sse.Event) error {
			got <- name + " got " + string(ev.Data)
			return nil
		})
	}
	for b.Subscribers("news") < 2 {
		time.Sleep(time.Millisecond)
	}
	b.Publish("news", &sse.Event{Data: []byte("hello")})
	lines := []string{<-got, <-got}
	if lines[0] > lines[1] {
		lines[0], lines[1] = lines[1], lines[0]
	}
	fmt.Println(lines[0])
	fmt.Println(lines[1])
	fmt.Println("connections:", srv.Config.Stats().AcceptedConns)
	// Output:
	// first got hello
	// second got hello
	// connections: 1
}

package sse_test

import (
	"context"
	"fmt"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/volttest"
)

// Subscribers served by ServeDetached hold no goroutine on the server
// while they wait for events; the client sees the same stream as with
// Serve.
func ExampleBroker_ServeDetached() {
	var b sse.Broker
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) { b.ServeDetached(ctx, "news") })
	defer srv.Close()

	b.Publish("news", &sse.Event{Data: []byte("seen")})   // ID 1
	b.Publish("news", &sse.Event{Data: []byte("missed")}) // ID 2

	hc := srv.Client()
	hc.StreamResponseBody = true
	c := sse.Client{HTTP: hc}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	err := c.Subscribe(ctx, srv.URL+"/events", "1", func(ev *sse.Event) error {
		fmt.Printf("%s: %s\n", ev.ID, ev.Data)
		if n++; n == 1 {
			b.Publish("news", &sse.Event{Data: []byte("live")})
		} else {
			cancel()
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// 2: missed
	// 3: live
	// context canceled
}

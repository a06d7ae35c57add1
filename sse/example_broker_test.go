package sse_test

import (
	"context"
	"fmt"

	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/volttest"
)

// A broker serves a topic; a client subscribes and gets the events
// published after it connected, and, with a Last-Event-ID, the ones it
// missed.
func ExampleBroker() {
	var b sse.Broker
	srv := volttest.NewServer(b.Handler("news"))
	defer srv.Close()

	b.Publish("news", &sse.Event{Data: []byte("published before")}) // ID 1
	b.Publish("news", &sse.Event{Data: []byte("missed")})           // ID 2

	hc := srv.Client()
	hc.StreamResponseBody = true
	c := sse.Client{HTTP: hc}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	err := c.Subscribe(ctx, srv.URL+"/events", "1", func(ev *sse.Event) error {
		fmt.Printf("%s: %s\n", ev.ID, ev.Data)
		if n++; n == 1 {
			b.Publish("news", &sse.Event{Type: "headline", Data: []byte("live")})
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

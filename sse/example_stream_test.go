package sse_test

import (
	"fmt"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/volttest"
)

// A handler streams events that another goroutine produces; Run writes
// them and returns when the producer closes the stream (or the client
// leaves, or the server shuts down).
func ExampleNewStream() {
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		s := sse.NewStream(ctx, &sse.StreamConfig{Retry: time.Second})
		go func() {
			defer s.Close()
			for i := 1; i <= 3; i++ {
				s.Send(&sse.Event{ID: fmt.Sprint(i), Data: []byte(fmt.Sprint("tick ", i))})
			}
		}()
		s.Run()
	})
	defer srv.Close()

	status, body, err := srv.Client().Get(nil, srv.URL+"/clock")
	fmt.Println(status, err)
	fmt.Print(string(body))
	// Output:
	// 200 <nil>
	// retry: 1000
	// id: 1
	// data: tick 1
	//
	// id: 2
	// data: tick 2
	//
	// id: 3
	// data: tick 3
}

// Send streams events that the handler produces itself.
func ExampleSend() {
	srv := volttest.NewServer(func(ctx *volt.RequestCtx) {
		for _, word := range []string{"streamed", "token", "by", "token"} {
			if sse.Send(ctx, &sse.Event{Type: "token", Data: []byte(word)}) != nil {
				return // the client is gone
			}
		}
	})
	defer srv.Close()

	// Read the events as they arrive, from the streamed body.
	hc := srv.Client()
	hc.StreamResponseBody = true
	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
	defer volt.ReleaseRequest(req)
	defer volt.ReleaseResponse(resp)
	req.SetRequestURI(srv.URL + "/tokens")
	if err := hc.Do(req, resp); err != nil {
		panic(err)
	}
	sse.ReadEvents(resp.BodyStream(), func(ev *sse.Event) error {
		fmt.Println(ev.Type, string(ev.Data))
		return nil
	})
	// Output:
	// token streamed
	// token token
	// token by
	// token token
}

package main

import (
	"fmt"
	"net"
	"net/http"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/sse"
)

// startServer serves impl's event streams on 127.0.0.1 and returns the
// address. Every stream gets one event ("welcome", ID 2) and then stays
// open and silent (no keep-alive within the measurement).
func startServer(impl string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	switch impl {
	case "volt-detached", "volt":
		// The event is the replay of the history after Last-Event-ID 1.
		b := &sse.Broker{Stream: sse.StreamConfig{KeepAlive: -1}}
		b.Publish("t", &sse.Event{ID: "1", Data: []byte("hello")})
		b.Publish("t", &sse.Event{ID: "2", Data: []byte("welcome")})
		h := func(ctx *volt.RequestCtx) { b.Serve(ctx, "t") }
		if impl == "volt-detached" {
			h = func(ctx *volt.RequestCtx) { b.ServeDetached(ctx, "t") }
		}
		go (&volt.Server{Handler: h}).Serve(ln)
	case "nethttp":
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.Header().Set("Cache-Control", "no-cache")
			fmt.Fprint(w, "id: 2\ndata: welcome\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
		go http.Serve(ln, h)
	default:
		return "", fmt.Errorf("unknown implementation %q", impl)
	}
	return ln.Addr().String(), nil
}

// Command sse serves a live clock and a broadcast feed over Server-Sent
// Events.
//
//	go run ./examples/sse -addr 127.0.0.1:8080   # then open http://127.0.0.1:8080
//	go run ./examples/sse -tls                   # HTTPS and HTTP/2, self-signed
//	curl -N http://127.0.0.1:8080/events
//	curl -N -H 'Last-Event-ID: 100' http://127.0.0.1:8080/events
//	curl -d 'text=hello' http://127.0.0.1:8080/say
//
// GET / is a page whose EventSource shows the clock and the feed. GET
// /events is the stream: every 100 ms an event whose id is an increasing
// integer and whose data is the time, and a "feed" event for each message
// posted to /say; a request with Last-Event-ID: N first gets the events
// after N still in the history (the last minute). POST /drop closes every
// stream, to watch browsers reconnect and resume without a gap.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2"
	"github.com/volthttp/volt/sse"
	"github.com/volthttp/volt/tlsutil"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	useTLS := flag.Bool("tls", false, "serve HTTPS (and HTTP/2) with a self-signed certificate")
	flag.Parse()

	a := newApp()
	stop := a.start(100 * time.Millisecond)
	defer stop()
	srv := newServer(a.serve)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx) // ends every stream
	}()
	var err error
	if *useTLS {
		cert, _, cerr := tlsutil.SelfSigned()
		if cerr != nil {
			log.Fatal(cerr)
		}
		srv.TLSConfig = tlsutil.ServerConfig(cert)
		log.Printf("sse example: open https://%s/ in a browser (self-signed: accept the warning); the stream is at /events", *addr)
		err = srv.ListenAndServeTLS(*addr, "", "")
	} else {
		log.Printf("sse example: open http://%s/ in a browser; the stream is at /events", *addr)
		err = srv.ListenAndServe(*addr)
	}
	if err != nil && err != volt.ErrServerClosed {
		log.Fatal(err)
	}
}

// topic is the broker topic of /events.
const topic = "live"

// app is the example's state: a broker whose topic gets the clock ticks
// and the feed messages.
type app struct {
	b sse.Broker
}

func newApp() *app {
	a := &app{}
	a.b.HistorySize = 600 // a minute of ticks
	a.b.Stream.Retry = time.Second
	return a
}

// start publishes the time every interval until the returned function is
// called.
func (a *app) start(interval time.Duration) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(interval)
		defer t.Stop()
		buf := make([]byte, 0, 64)
		for {
			select {
			case now := <-t.C:
				buf = now.AppendFormat(buf[:0], "15:04:05.0")
				// No ID given: the broker numbers the events 1, 2, 3...
				a.b.Publish(topic, &sse.Event{Data: buf})
			case <-done:
				return
			}
		}
	}()
	return func() { close(done); <-exited }
}

func (a *app) serve(ctx *volt.RequestCtx) {
	switch string(ctx.Path()) {
	case "/":
		ctx.SetContentType("text/html; charset=utf-8")
		ctx.SetBodyString(page)
	case "/events":
		a.b.Serve(ctx, topic)
	case "/say":
		if !ctx.IsPost() {
			ctx.Error("POST a text field", volt.StatusMethodNotAllowed)
			return
		}
		text := ctx.FormValue("text")
		if len(text) == 0 || len(text) > 500 {
			ctx.Error("text must have 1 to 500 bytes", volt.StatusBadRequest)
			return
		}
		a.b.Publish(topic, &sse.Event{Type: "feed", Data: text})
		ctx.SetStatusCode(volt.StatusNoContent)
	case "/drop":
		if !ctx.IsPost() {
			ctx.Error("POST to close every stream", volt.StatusMethodNotAllowed)
			return
		}
		n := a.b.Disconnect(topic)
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString(itoa(n) + " streams closed\n")
	case "/stats":
		st := a.b.Stats()
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString("streams " + itoa(int(st.Streams)) + "\npublished " + itoa(int(st.Published)) +
			"\nsent " + itoa(int(st.Sent)) + "\n")
	default:
		ctx.NotFound()
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// newServer returns the server of handler, with a limit on every wait (WriteTimeout also cuts off a client that stopped reading its stream: see package sse).
func newServer(handler volt.RequestHandler) *volt.Server {
	srv := &volt.Server{
		Handler:       handler,
		HeaderTimeout: 10 * time.Second,
		ReadTimeout:   30 * time.Second,
		WriteTimeout:  30 * time.Second,
		IdleTimeout:   60 * time.Second,
		MaxConnsPerIP: 64,
	}
	// HTTP/2 over TLS (-tls) and h2c: every stream is a stream of one
	// connection, so a browser is not held to six per host.
	http2.ConfigureServer(srv, nil)
	return srv
}

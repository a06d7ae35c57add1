// Package sse implements Server-Sent Events: the text/event-stream
// format, event streams on volt's RequestCtx, a Broker that fans events
// out to many clients and replays what a reconnecting client missed, and
// a Client that reads streams and reconnects the way a browser's
// EventSource does.
//
// The package has three layers. At the bottom, a codec that imports only
// the standard library: AppendEvent, AppendComment and AppendRetry encode;
// Parser (and ReadEvents) decode exactly as the WHATWG HTML standard
// says. Above it, the server side on volt.RequestCtx: Stream, Send,
// Broker, CORS. Beside it, the Client on volt.Client.
//
// # Streaming from a handler
//
// A handler that produces the events itself sends them with Send, which
// writes and flushes each at once:
//
//	func tokens(ctx *volt.RequestCtx) {
//		for tok := range generate(ctx) {
//			if sse.Send(ctx, &sse.Event{Data: tok}) != nil {
//				return // the client is gone
//			}
//		}
//	}
//
// Events that come from other goroutines go through a Stream, which also
// sends keep-alive comments, notices a client that left and the server's
// shutdown, and bounds what a slow client can make it queue:
//
//	func clock(ctx *volt.RequestCtx) {
//		s := sse.NewStream(ctx, &sse.StreamConfig{Retry: time.Second})
//		go func() {
//			t := time.NewTicker(time.Second)
//			defer t.Stop()
//			for {
//				select {
//				case now := <-t.C:
//					s.Send(&sse.Event{Data: now.AppendFormat(nil, time.RFC3339)})
//				case <-s.Done():
//					return
//				}
//			}
//		}()
//		s.Run() // until the client leaves or the server shuts down
//	}
//
// # Broadcasting
//
//	var b sse.Broker // topics, history for Last-Event-ID, counters
//	srv := &volt.Server{Handler: b.Handler("news")}
//	b.Publish("news", &sse.Event{Type: "headline", Data: []byte("...")})
//
// Each published event is encoded once; every subscriber gets a copy in
// its stream's queue. Events without an ID are numbered per topic, so
// that a browser that reconnects sends Last-Event-ID and gets what it
// missed from the topic's history. The replay is bounded by the stream's
// BufferLimit (past it the stream ends after what fit, and the browser
// resumes from there), and an ID the history does not hold replays
// nothing.
//
// Broker.ServeDetached keeps a subscriber without a goroutine: the
// connection is handed over by the server (volt.RequestCtx.HijackDetached),
// its socket waits in the poller only to notice the client leaving, and a
// shared pool of workers writes the events as they are published. An idle
// subscriber then costs about 3 KiB instead of about 19 KiB:
//
//	srv := &volt.Server{Handler: func(ctx *volt.RequestCtx) { b.ServeDetached(ctx, "news") }}
//
// # Reading a stream
//
//	var c sse.Client
//	err := c.Subscribe(ctx, "http://127.0.0.1:8080/events", "", func(ev *sse.Event) error {
//		log.Printf("%s %s: %s", ev.ID, ev.Type, ev.Data) // valid until fn returns
//		return nil
//	})
//
// The Client waits at least MinRetry (500 ms) whatever retry delay the
// server sets, backs off (with jitter, up to MaxBackoff) while attempts
// give no event, gives up a stream or a response head silent for
// IdleTimeout (60 s), and sends the credential headers PrepareRequest
// adds only to the origin it was given, not across redirects.
//
// # HTTP/2
//
// Over HTTP/2 each stream is an HTTP/2 stream: many subscriptions, a
// browser's or a Client's, share one TCP connection, and a browser is no
// longer held to six streams per host. The server side needs only
// http2.ConfigureServer: Stream, Send and Broker flush each event as a
// DATA frame, and a client that resets its stream counts as gone. A
// Client uses HTTP/2 when its volt.Client does: when the program links
// package volt/http2 in (import _ "github.com/volthttp/volt/http2"), for
// https:// when the server chooses h2 by ALPN, and for http:// with
// ConnConfig.HTTP2PriorKnowledge. Then the subscriptions of one
// volt.Client to a host share a connection (up to the server's
// SETTINGS_MAX_CONCURRENT_STREAMS each), reconnections included;
// cancelling a Subscribe, or a stream idle past IdleTimeout, resets its
// stream and frees it. This package does not import volt/http2 (whose
// tests import this one): the program does.
//
// # Slow clients and write timeouts
//
// A Stream queues at most StreamConfig.BufferLimit bytes for a client
// that reads slower than events come; past it the stream is closed (the
// default: the client reconnects and catches up from the history) or the
// event dropped, and the Broker counts both. A write to a client that
// stopped reading altogether blocks in the kernel until it times out: set
// volt.Server.WriteTimeout (say 30 s), so that such a connection is
// closed.
//
// # Costs
//
// A stream holds its connection and its handler's goroutine for as long
// as it runs. Watching for the client to leave (see volt.RequestCtx.Done)
// costs nothing more over TCP on Linux, where volt's epoll watcher does
// it: about 16 KB per idle subscriber, both ends of the loopback
// connection counted (TestBrokerSubscribersTCP). Elsewhere, and on
// in-memory connections, it takes a second goroutine reading the
// connection: about 24 KB per idle subscriber, measured with 10,000 of
// them (TestBroker10000Subscribers). Browsers
// open at most six HTTP/1.1 connections per host, so a page should share
// one stream rather than open one per widget (or be served over HTTP/2).
//
// The examples/sse program serves a live clock and a broadcast feed to a
// browser; examples/demo has the same page among its others.
package sse

// Package http2 serves HTTP/2 (RFC 9113) from a volt.Server, with the same
// Handler and RequestCtx as HTTP/1.1.
//
// ConfigureServer registers the protocol on a volt.Server. Requests are
// then served by the server's Handler whichever protocol carries them;
// each stream gets its own RequestCtx, run on the server's worker pool.
// Below the server sit the frame codec (FrameReader, the Append
// functions) and the header compression of package hpack.
//
// Serve HTTP/2 over TLS: ListenAndServeTLS offers "h2" by ALPN once the
// protocol is registered, and falls back to HTTP/1.1 for other clients:
//
//	srv := &volt.Server{Handler: handler}
//	http2.ConfigureServer(srv, nil)
//	log.Fatal(srv.ListenAndServeTLS(":443", "cert.pem", "key.pem"))
//
// Serve HTTP/2 over cleartext TCP (h2c) on the same port as HTTP/1.1:
// a connection that opens with the HTTP/2 client preface (prior
// knowledge), or an HTTP/1.1 request with "Upgrade: h2c", is served as
// HTTP/2; any other as HTTP/1.1. Set Server.DisableCleartext to serve
// HTTP/2 over TLS only.
//
//	srv := &volt.Server{Handler: handler}
//	http2.ConfigureServer(srv, &http2.Server{})
//	log.Fatal(srv.ListenAndServe(":8080"))
//
// Tune the limits: the HTTP/2 ones are fields of Server, each documenting
// its zero value; timeouts, the header list size and the request body
// size are the volt.Server's, shared with HTTP/1.1:
//
//	srv := &volt.Server{
//		Handler:            handler,
//		IdleTimeout:        2 * time.Minute,
//		MaxHeaderBytes:     16 << 10, // also SETTINGS_MAX_HEADER_LIST_SIZE
//		MaxRequestBodySize: 8 << 20,
//	}
//	http2.ConfigureServer(srv, &http2.Server{
//		MaxConcurrentStreams: 100,
//		InitialWindowSize:    256 << 10,
//		ConnWindowSize:       1 << 20,
//	})
//
// Tell the protocol in a handler:
//
//	func handler(ctx *volt.RequestCtx) {
//		if ctx.Request.Header.IsHTTP2() { // Protocol() is "HTTP/2.0"
//			ctx.SetBodyString("hello over HTTP/2")
//			return
//		}
//		ctx.SetBodyString("hello over " + string(ctx.Request.Header.Protocol()))
//	}
//
// Everything a handler does over HTTP/1.1 works over HTTP/2: buffered
// and streamed bodies (Flush, SetBodyStream, SetBodyStreamWriter,
// SendFile), request and response trailers, 100-continue and
// Server.ContinueHandler, 103 Early Hints, ctx.Done (closed when the
// client resets the stream), Server.StreamRequestBody. The response head
// is checked before it is written: a field that could not be sent (CR, LF
// or NUL in a value, an invalid name) turns the response into a 500.
// Connection-specific fields (Connection, Keep-Alive, Transfer-Encoding,
// Upgrade) set by a handler are not sent.
//
// # Limits and defences
//
// Request heads are checked as RFC 9113 section 8.3 requires: a missing,
// duplicated or unknown pseudo-header field, an uppercase field name, a
// connection-specific field, a value with surrounding whitespace or NUL,
// CR or LF, or a Host that differs from :authority resets the stream with
// PROTOCOL_ERROR before the handler runs. Streams beyond
// MaxConcurrentStreams are refused; rapid resets (MaxResetStreams), frames
// that do no work (MaxEmptyFrames), unread control frames
// (MaxQueuedControlFrames), CONTINUATION floods and header blocks larger
// than MaxHeaderBytes end the connection with an error code. Buffers grow
// as bytes arrive and never from a length the client announces. Every
// wait has a deadline: the preface and request heads (HeaderTimeout), idle
// connections (IdleTimeout), silent ones (PingInterval), request bodies
// (BodyIdleTimeout) and writes to a client that stopped reading
// (WriteTimeout). Flow control grants credit in batches, and responses
// are scheduled by the client's priority signals (RFC 9218), most urgent
// first.
//
// # Idle connections
//
// A cleartext connection (h2c, with prior knowledge or Upgrade) that has
// no stream open and nothing to write for 10 ms is parked: it holds no
// goroutine and no buffer (about 4 KB in all) until a frame, the client
// closing it, IdleTimeout or a shutdown wakes it on one of the server's
// workers. TLS connections keep a goroutine waiting in a read, with a
// small buffer.
//
// # CONNECT, WebSocket and Server-Sent Events
//
// A CONNECT request whose handler answers 2xx and calls RequestCtx.Hijack
// opens a tunnel (RFC 9113 section 8.5): the hijack handler gets the stream
// as a net.Conn, reading the client's DATA and writing DATA back, and
// closing it ends the stream. The server announces
// SETTINGS_ENABLE_CONNECT_PROTOCOL, so clients may send an extended CONNECT
// (RFC 8441) with a :protocol pseudo-header field
// (RequestHeader.ConnectProtocol): websocket.Upgrader answers one with
// :protocol websocket with 200 and runs the WebSocket on the stream, so that
// a browser that loaded the page over HTTP/2 opens its WebSockets on the
// same connection. Server.DisableExtendedConnect turns that off. Event
// streams (package sse) work unchanged: each Flush is a DATA frame, and a
// client that resets its stream is a client gone.
//
// Shutdown is graceful (RFC 9113 section 6.8): volt.Server.Shutdown sends
// a GOAWAY announcing the end, then after ShutdownGrace one naming the
// last stream it will serve, and closes each connection once its streams
// are done.
//
// # Not supported
//
//   - Server push (PUSH_PROMISE): SETTINGS_ENABLE_PUSH is announced as 0,
//     as most clients have dropped push.
//   - RFC 7540 stream priorities (the dependency tree): PRIORITY frames and
//     the priority fields of HEADERS are parsed, checked and ignored, and
//     SETTINGS_NO_RFC7540_PRIORITIES is announced as 1. The RFC 9218
//     priority header and PRIORITY_UPDATE frames are used instead.
//   - RequestCtx.Hijack outside CONNECT: a stream is not a connection of
//     its own. A handler that calls it on another request gets a 500, and
//     ErrHijackUnsupported is logged.
//
// Specifications:
//
//   - HTTP/2: https://www.rfc-editor.org/rfc/rfc9113
//   - HPACK: https://www.rfc-editor.org/rfc/rfc7541
//   - Extensible priorities: https://www.rfc-editor.org/rfc/rfc9218
//   - HTTP semantics: https://www.rfc-editor.org/rfc/rfc9110
//   - The h2c Upgrade: https://www.rfc-editor.org/rfc/rfc7540#section-3.2
//
// # Client
//
// Importing the package (even as `import _ "github.com/volthttp/volt/http2"`)
// registers HTTP/2 with volt.RegisterClientProtocol: a volt.HostClient
// then offers "h2" by ALPN over TLS (and speaks it over cleartext with
// ConnConfig.HTTP2PriorKnowledge), pools the connections and sends
// requests on their streams, taking the limits from its ConnConfig
// (MaxHeaderBytes, MaxResponseBodySize, WriteTimeout, Trace).
//
// ClientConn is one such connection, usable directly on a net.Conn the
// caller dialled: a *tls.Conn that negotiated "h2" by ALPN, or a cleartext
// connection to a server known to speak HTTP/2 (prior knowledge). It
// implements volt.MuxConn. Do, DoCtx and RoundTrip send a volt.Request
// and read the response into a volt.Response; concurrent calls share the
// connection, each on its own stream, and a buffered request and response
// allocate nothing once the connection is established.
//
//	c, err := tls.Dial("tcp", "example.com:443", &tls.Config{NextProtos: []string{"h2"}})
//	if err != nil { ... }
//	cc, err := http2.NewClientConn(c, nil)
//	if err != nil { ... }
//	defer cc.Close()
//	req.SetRequestURI("https://example.com/")
//	err = cc.Do(req, resp)
//
// RoundTrip adds a deadline (past it the stream is reset and
// volt.ErrTimeout returned; the connection stays usable) and streamed
// responses: with MuxRoundTrip.StreamBody it returns at the response head
// and resp.BodyStream() reads DATA as it arrives. The stream's and the
// connection's receive windows are given back only as the body is read,
// so a reader that stops reading stops the server, and a connection never
// holds more unread bytes than its window; trailers are in resp.Header at
// io.EOF; closing the body early resets the stream. A request body set
// with Request.SetBodyStream is sent as it is read, within the server's
// windows.
//
// Tunnel opens a CONNECT stream as a net.Conn (RFC 9113 section 8.5), or
// an extended CONNECT (RFC 8441) when req.Header.ConnectProtocol() is set,
// such as a WebSocket over HTTP/2, once the server announced
// SETTINGS_ENABLE_CONNECT_PROTOCOL (volt.ErrExtendedConnectRefused
// otherwise). The conn's deadlines, Close and CloseWrite work as a TCP
// connection's.
//
// ClientConfig bounds what a server may send: the header list size (counted
// while decoding), the response body (volt.ErrBodyTooLarge past it), the
// receive windows, and the time a silent connection or a stalled upload may
// take. A request the server did not process (above a GOAWAY's last stream,
// or refused) fails with an error matching ErrStreamUnprocessed, and one
// that found every stream in use with ErrNoStreamAvailable: all match
// volt.ErrRequestUnprocessed and may be retried on another connection. A
// stream error resets that stream only; a connection error ends the
// connection with GOAWAY and its code, and every call in flight fails with
// it. Server push is disabled.
package http2

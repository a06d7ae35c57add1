// Package adaptor runs net/http handlers on a volt.Server and volt
// handlers on a net/http server.
//
// Serve an http.Handler (a mux, a third-party handler, pprof) with volt,
// over HTTP/1.1 and HTTP/2 alike:
//
//	srv := &volt.Server{Handler: adaptor.NewHandler(mux)}
//
// Serve a volt handler from net/http:
//
//	http.Handle("/api/", adaptor.HTTPHandler(voltHandler))
//
// Build an *http.Request from a RequestCtx, to call net/http code:
//
//	var r http.Request
//	if err := adaptor.ConvertRequest(ctx, &r, true); err != nil { ... }
//
// # What an http.Handler gets
//
// The *http.Request has the method, URL, RequestURI, Host, Proto,
// RemoteAddr, TLS, Header (multi-valued, with Cookie), ContentLength,
// Body (read from the connection as it arrives when the server sets
// Server.StreamRequestBody), Trailer (filled once the body is read), and a
// Context cancelled when the RequestCtx is done (the client went away,
// the stream was reset, the server shuts down) and when ServeHTTP returns.
// The context holds http.LocalAddrContextKey, not http.ServerContextKey
// (there is no *http.Server).
//
// The http.ResponseWriter buffers the body, so that a small response goes
// out in one write with its Content-Length, as volt's own handlers do;
// past 32 KiB, or at Flush, the head is sent and the rest streams (chunked
// on HTTP/1.1). It sniffs a missing Content-Type with
// http.DetectContentType, sends 1xx responses written with WriteHeader
// (103 Early Hints), sends trailers declared in the "Trailer" field or set
// with the http.TrailerPrefix, and implements http.Flusher, http.Hijacker
// and the methods http.ResponseController looks for (FlushError,
// EnableFullDuplex). SetReadDeadline and SetWriteDeadline are not
// supported (volt applies its own timeouts): ResponseController reports
// http.ErrNotSupported.
//
// # Hijacking
//
// Hijack works for HTTP/1.1 requests that ask to switch protocols
// (Connection: Upgrade, as WebSocket handshakes do) and for CONNECT: those
// run ServeHTTP on a goroutine of their own so that volt's connection can
// be handed over. The handler writes the response head on the hijacked
// connection as it would with net/http; volt reads it, sends it (with its
// own reason phrase and its Date and Server fields) and hands the
// connection over (RequestCtx.HijackDetached), bytes the client sent
// early included. The head must be a 101 Switching Protocols, or a 2xx to
// CONNECT; another gets ErrHijackHead, and the client a 500. Other
// requests, and every HTTP/2 request, get ErrHijackUnsupported: running
// every request on a second goroutine would cost each of them what only a
// few need. A hijacked connection still counts as the server's: Shutdown
// waits until the handler closes it, Close closes it.
//
// # Panics
//
// A panic in ServeHTTP goes on to volt's recovery: it is logged, a 500 is
// sent if nothing was, and the connection is closed (the stream reset on
// HTTP/2), so that a streamed body is seen truncated. Unlike net/http,
// http.ErrAbortHandler is logged too.
//
// # Pooling
//
// The per-request state of NewHandler (the ResponseWriter, the header
// maps, the URL, the body reader) is pooled. The *http.Request and its
// context are allocated for each request, because a handler may keep the
// context after it returns; the request's strings share one allocation.
// As with net/http, the Request, its Header and the ResponseWriter must
// not be used after ServeHTTP returns (the context may).
package adaptor

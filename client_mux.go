package volt

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// MuxConn is a client connection that carries many requests at once, each
// on a stream of its own: HTTP/2. Package volt/http2 provides it and
// registers it with RegisterClientProtocol; a HostClient then uses it for
// https when the server chooses it by ALPN, and for http with
// ConnConfig.HTTP2PriorKnowledge. Users of HostClient and Client never
// call it directly.
//
// The HostClient counts the streams it opens on each MuxConn and never
// opens more than MaxStreams at once, so RoundTrip and Tunnel find a
// stream free unless the server lowered its limit meanwhile (then they
// fail with an error matching ErrRequestUnprocessed, and the HostClient
// tries again elsewhere).
type MuxConn interface {
	// RoundTrip sends req on a new stream and reads the response into
	// resp, as HostClient.Do does over HTTP/1.1, under ctx (whose end
	// resets the stream, not the connection) and o. It returns when the
	// stream is over, except with o.StreamBody (see MuxRoundTrip).
	//
	// An error matching ErrRequestUnprocessed (errors.Is) means the
	// server did not process the request (GOAWAY, REFUSED_STREAM, or no
	// stream free): it may be sent again on another connection, even if
	// it is not idempotent.
	RoundTrip(ctx context.Context, req *Request, resp *Response, o MuxRoundTrip) error

	// Tunnel opens a two-way stream with req, a CONNECT request: a plain
	// one (authority only), or an extended CONNECT (RFC 8441) when
	// req.Header.ConnectProtocol() is set, such as "websocket". The
	// response head is read into resp. On a 2xx answer it returns a
	// net.Conn that reads the response's DATA and writes the request's;
	// its Close ends the stream, and so does the connection's end. On
	// another answer it returns the net.Conn nil and a nil error (the
	// stream is over; the body, if any, is in resp). When the server did
	// not enable extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL) it
	// returns ErrExtendedConnectRefused without sending anything. ctx
	// bounds the opening only.
	Tunnel(ctx context.Context, req *Request, resp *Response) (net.Conn, error)

	// MaxStreams is how many streams the connection may have open at
	// once now (the server's SETTINGS_MAX_CONCURRENT_STREAMS); 0 once it
	// can open no new stream (GOAWAY received, closed, failed, stream
	// identifiers exhausted).
	MaxStreams() int

	// Close sends GOAWAY and closes the connection; calls in flight fail.
	Close() error
}

// MuxRoundTrip carries the settings of one MuxConn.RoundTrip.
type MuxRoundTrip struct {
	// Deadline bounds the whole call: the request, the response head,
	// and the body unless it is streamed. Past it the stream is reset
	// and RoundTrip returns ErrTimeout. If zero, there is none.
	Deadline time.Time

	// StreamBody leaves the response body to the caller: RoundTrip
	// returns once the final response head arrived, and resp.BodyStream
	// reads the body as it comes (its receive window is given back as it
	// is read). Closing the stream before its end resets the stream.
	StreamBody bool

	// BodyDone, with StreamBody, is called once when the streamed body
	// is over: read to its end, closed, failed, or when RoundTrip
	// returns an error. The HostClient counts the stream as open until
	// then.
	BodyDone func()
}

// ClientProtocol is a multiplexed protocol a HostClient may speak instead
// of HTTP/1.1.
type ClientProtocol struct {
	// ALPN is the protocol's TLS ALPN identifier, such as "h2".
	ALPN string

	// NewConn starts the protocol on c, a connection the HostClient
	// dialed (after its TLS handshake, which negotiated ALPN, or a
	// cleartext connection with prior knowledge). It takes its limits
	// from hc's ConnConfig. On error, c is closed.
	NewConn func(c net.Conn, hc *HostClient) (MuxConn, error)
}

// clientProtocol is the registered multiplexed protocol, or nil.
var clientProtocol atomic.Pointer[ClientProtocol]

// RegisterClientProtocol makes every HostClient able to speak p: for
// https it offers p.ALPN before http/1.1 (unless ConnConfig.DisableHTTP2
// or TLSConfig.NextProtos say otherwise) and uses p when the server
// chooses it. Package volt/http2 calls it when it is linked into the
// program, so that importing it (even as `import _
// "github.com/volthttp/volt/http2"`) turns HTTP/2 on. One protocol is
// kept: the last registered.
func RegisterClientProtocol(p ClientProtocol) {
	clientProtocol.Store(&p)
}

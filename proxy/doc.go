// Package proxy is a reverse proxy for volt: a volt.RequestHandler that
// forwards each request to one of a set of upstream servers and streams the
// answer back.
//
//	p, err := proxy.New(proxy.Config{Upstreams: []string{"http://10.0.0.1:8080"}})
//	if err != nil { ... }
//	defer p.Close()
//	srv := &volt.Server{Handler: p.Handler, StreamRequestBody: true}
//
// The API:
//
//	type Config struct {
//		Upstreams      []string       // "http://host:port" or "https://host:port"
//		TrustedProxies []netip.Prefix // peers whose forwarding fields are kept
//		RewriteRequest func(ctx *volt.RequestCtx, req *volt.Request)
//		ModifyResponse func(ctx *volt.RequestCtx, resp *volt.Response) error
//		Logger         *slog.Logger
//		DialTimeout, ResponseHeaderTimeout, IdleTimeout time.Duration
//		MaxConnsPerUpstream int
//		HealthCheck    HealthCheck    // {Path string; Interval, Timeout time.Duration}
//		Via            string         // pseudonym in Via; "volt" if empty
//		TLSConfig      *tls.Config    // for https upstreams
//	}
//	func New(cfg Config) (*Proxy, error)
//	func (p *Proxy) Handler(ctx *volt.RequestCtx)
//	func (p *Proxy) Close() error
//
// One upstream is served by a volt.HostClient, several by a volt.LBClient
// (the least busy healthy one gets the request; a request whose upstream
// cannot be reached, and so was not sent, goes to another). Upstream
// connections are HTTP/1.1 and kept alive whatever the client's own
// connection does.
//
// What the proxy does to a message, in both directions (RFC 9110 section
// 7.6):
//
//   - Hop-by-hop fields are removed: Connection and every field it names,
//     Keep-Alive, Proxy-Connection, TE (except "trailers", which is kept on
//     requests), Transfer-Encoding, Upgrade (unless the request is
//     tunnelled, see below), Proxy-Authorization and Proxy-Authenticate.
//   - Via gets "1.1 <Via>" (the protocol version the message was received
//     with, then the pseudonym).
//   - X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host and Forwarded
//     (RFC 7239, an IPv6 node quoted as for="[2001:db8::1]") describe the
//     client. When the peer is in TrustedProxies, the fields it sent are
//     kept and the peer is appended to X-Forwarded-For and Forwarded; from
//     any other peer they are dropped and replaced, so that a client cannot
//     forge them.
//
// Bodies are streamed both ways: the request body is read from the client
// as the upstream takes it (set volt.Server.StreamRequestBody, or the
// server reads it whole first), and the response body is copied to the
// client as it arrives; only a response of at most 32 KiB with a
// Content-Length is read whole, to answer with one write. Trailers pass in
// both directions (response trailers that the upstream declared in its
// Trailer field). A request with "Expect: 100-continue" is forwarded with
// it: the upstream's interim answer decides when the body is sent on.
//
// A request that asks for a protocol upgrade (Connection: upgrade, as a
// WebSocket handshake does) is sent on a connection of its own
// (volt.HostClient.DialTunnel); when the upstream answers 101 Switching
// Protocols, the client connection is hijacked and bytes are copied both
// ways until either side closes.
//
// Failures are answered by the proxy and logged through Config.Logger:
// 502 Bad Gateway when the upstream cannot be reached or sends a bad
// response (or ModifyResponse fails), 503 Service Unavailable when every
// upstream is out after its health check, 504 Gateway Timeout when the
// upstream takes longer than ResponseHeaderTimeout to start its response.
package proxy

// Package websocket implements the WebSocket protocol (RFC 6455) for volt
// servers and clients, with the permessage-deflate extension (RFC 7692).
//
// A server upgrades requests from a volt handler:
//
//	var upgrader websocket.Upgrader // the zero value works
//
//	func handler(ctx *volt.RequestCtx) {
//		err := upgrader.Upgrade(ctx, func(c *websocket.Conn) {
//			for {
//				mt, msg, err := c.ReadMessage()
//				if err != nil {
//					return // a *websocket.CloseError when the peer closed
//				}
//				if err := c.WriteMessage(mt, msg); err != nil {
//					return
//				}
//			}
//		})
//		if err != nil {
//			return // not a valid handshake: 400, 403, 405 or 426 was set
//		}
//	}
//
// The event-driven form holds no goroutine and no buffer while a
// connection is idle (its socket waits in the poller; a worker is taken
// when bytes arrive), for servers that keep many mostly silent
// connections:
//
//	type echo struct{}
//
//	func (echo) OnOpen(c *websocket.Conn) {}
//	func (echo) OnMessage(c *websocket.Conn, mt websocket.MessageType, p []byte) {
//		c.WriteMessage(mt, p) // p is valid until OnMessage returns
//	}
//	func (echo) OnClose(c *websocket.Conn, err error) {}
//
//	func handler(ctx *volt.RequestCtx) { upgrader.UpgradeEvents(ctx, echo{}) }
//
// A client dials, with volt's client dialing (DNS cache, proxies, TLS):
//
//	c, err := websocket.Dial(ctx, "wss://example.com/ws", &websocket.DialOptions{
//		Config: websocket.Config{Compression: websocket.Compression{Enabled: true}},
//		Proxy:  volt.ProxyFromEnvironment, // HTTPS_PROXY, NO_PROXY; CONNECT or SOCKS5
//	})
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	err = c.WriteMessage(websocket.TextMessage, []byte("hello"))
//
// Streaming a large message:
//
//	w, err := c.NextWriter(websocket.BinaryMessage)
//	if err != nil {
//		return err
//	}
//	io.Copy(w, file)
//	err = w.Close() // sends the last frame
//
// Sending one message to many connections, framed and compressed once:
//
//	pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, []byte("tick"))
//	err := websocket.Broadcast(pm, conns)
//
// Ending a connection with a code:
//
//	c.WriteClose(websocket.StatusPolicyViolation, "too many messages")
//	// then read until ReadMessage returns the peer's *CloseError
//	code := websocket.CloseStatus(err) // 1008, or -1 when err is not a close
//
// The examples/chat and examples/wsecho programs use the package.
//
// # HTTP/2
//
// Over HTTP/2 a WebSocket is a stream of a shared connection, opened by an
// extended CONNECT (RFC 8441). The server side needs nothing more than
// http2.ConfigureServer: the server announces extended CONNECT and
// Upgrader accepts both handshakes. On the client side, Dial takes the
// stream from a volt.Client's pool of HTTP/2 connections
// (DialOptions.HTTP), so that many WebSockets to one host share one TCP
// connection and one TLS session:
//
//	import _ "github.com/volthttp/volt/http2" // links HTTP/2 into volt's client
//
//	hc := &volt.Client{} // keep it: its pool is what the WebSockets share
//	c, err := websocket.Dial(ctx, "wss://example.com/ws", &websocket.DialOptions{HTTP: hc})
//	// c.IsHTTP2() tells whether the WebSocket is a stream of hc's connection
//
// Dial uses HTTP/2 when the server chooses it by ALPN (wss://), or for
// ws:// when the client has ConnConfig.HTTP2PriorKnowledge, and when the
// server enabled extended CONNECT; otherwise, having sent nothing, it
// falls back to the HTTP/1.1 Upgrade on a connection of its own. Without
// DialOptions (or with HTTP, Dial, Proxy and TLSConfig all nil) a wss://
// Dial uses a client shared by all such Dials, so that they share HTTP/2
// connections too; with Dial, Proxy or TLSConfig set and HTTP nil, Dial
// keeps to HTTP/1.1. Closing such a Conn ends its stream only; the connection stays
// in the pool for other requests.
//
// This package does not import volt/http2 (whose tests import this one):
// a program links HTTP/2 in by importing volt/http2 itself, as above.
// Without it, Dial always speaks HTTP/1.1.
//
// # Concurrency
//
// One goroutine reads a connection; any number may write. Each message
// holds a lock while it is written, and control frames (pongs, pings,
// close) may go out between the frames of a long message. An Upgrade
// handler owns its connection's reading, and must not leave goroutines
// that read from it when it returns.
//
// # Memory
//
// ReadMessage returns a view of the connection's buffers: valid until the
// next read; copy it to keep it. A connection keeps a read buffer
// (Config.ReadBufferSize) while it lives, except while it waits for data
// on a TCP connection on Unix; the buffers of larger messages, write
// buffers, compressors and decompressors come from pools for each message
// and go back when it ends (the buffers of a message read, when the next
// read starts), unless Compression.ContextTakeover is set: a connection
// then keeps its own compressor and decompressor. A compressed message is
// inflated in pieces and stops as soon as it passes the read limit.
// Reading and writing small uncompressed messages allocates nothing.
//
// # Deadlines
//
// Every write to the network has a deadline, Config.WriteTimeout (10 s by
// default): a peer that stopped reading fails the connection instead of
// holding its writers. Close, WriteClose and server shutdown never wait
// longer than their own bound (a second for Close, CloseTimeout for the
// others) behind a blocked writer: they close the network connection. An
// idle connection is pinged every Config.PingInterval (30 s by default)
// and closed when the peer stays silent for PongTimeout after a ping.
//
// # Limits
//
// Messages larger than Config.MaxMessageSize (16 MiB by default), before
// or after decompression, fail the connection with StatusMessageTooBig.
// Framing errors fail it with StatusProtocolError; among them a payload
// length not encoded in the fewest bytes (125 in 16 bits, 65535 in 64
// bits: RFC 6455 section 5.2) and a frame masked the wrong way. The server
// and the client both apply these rules.
//
// # UTF-8
//
// Text messages and close reasons are UTF-8 both ways (RFC 6455 sections
// 5.6 and 8.1). Invalid UTF-8 received fails the connection with
// StatusInvalidFramePayload as soon as the bad bytes arrive. Invalid
// UTF-8 to be sent is refused with ErrInvalidUTF8: WriteMessage,
// NewPreparedMessage and WriteClose send nothing; the writer from
// NextWriter checks as the bytes come, and its doc says what becomes of a
// message already partly sent.
package websocket

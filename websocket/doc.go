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
// (Config.ReadBufferSize) while it lives; write buffers, compressors and
// decompressors come from pools for each message, unless
// Compression.ContextTakeover is set: a connection then keeps its own.
// Reading and writing small uncompressed messages allocates nothing.
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

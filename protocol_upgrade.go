package volt

import "github.com/volthttp/volt/internal/bytesconv"

// UpgradeProtocol is a Protocol that an HTTP/1.1 request may switch the
// connection to with the Upgrade header field (RFC 9110 section 7.8),
// such as HTTP/2 over cleartext ("h2c", RFC 7540 section 3.2).
type UpgradeProtocol interface {
	Protocol
	// AcceptUpgrade reports whether the request may switch protocols. It
	// must not keep h. When it reports false, the request is served over
	// HTTP/1.1 as if it had not asked.
	AcceptUpgrade(h *RequestHeader) bool
	// ServeUpgrade serves the connection after the server wrote "101
	// Switching Protocols". req is the request that asked for the switch,
	// with its body read; the protocol answers it. req is valid until
	// ServeUpgrade returns. It returns as Protocol.ServeConn does
	// (ErrParked included: the connection is parked once the HTTP/1.1
	// side has given back what it held).
	ServeUpgrade(c *ServerConn, req *Request) error
}

// RegisterUpgrade makes an HTTP/1.1 request with "Upgrade: token" (and
// "upgrade" in its Connection field) switch the connection to p, when p
// accepts it. Call it before Serve. A request with a streamed body
// (Server.StreamRequestBody) and a body does not switch.
func (s *Server) RegisterUpgrade(token string, p UpgradeProtocol) {
	if s.upgrades == nil {
		s.upgrades = make(map[string]UpgradeProtocol)
	}
	s.upgrades[token] = p
}

// upgradeFor returns the protocol the request asks to switch to and its
// token, or nil.
func (s *Server) upgradeFor(h *RequestHeader) (UpgradeProtocol, string) {
	if len(s.upgrades) == 0 || !h.connUpgrade || h.http10 {
		return nil, ""
	}
	v := h.fields.peek(bytesconv.S2B(HeaderUpgrade))
	for tok, p := range s.upgrades {
		if hasToken(v, tok) && p.AcceptUpgrade(h) {
			return p, tok
		}
	}
	return nil, ""
}

// switchProtocols writes 101 for token and hands the connection to p.
func (c *http1Conn) switchProtocols(ctx *RequestCtx, p UpgradeProtocol, token string) error {
	c.wbuf = append(c.wbuf, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: "...)
	c.wbuf = append(c.wbuf, token...)
	c.wbuf = append(c.wbuf, "\r\n\r\n"...)
	if err := c.flush(); err != nil {
		return err
	}
	ctx.Request.Header.detach()
	ctx.Request.ownBody()
	c.sc.pending = append(c.sc.pending[:0], c.br.buffered()...)
	c.br.discard(len(c.br.buffered()))
	return p.ServeUpgrade(c.sc, &ctx.Request)
}

package websocket

import (
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/volthttp/volt"
)

// The server side of the opening handshake: the adapter between volt's
// RequestCtx and Conn.

// statusUpgradeRequired is 426 Upgrade Required (RFC 9110 section 15.5.22).
const statusUpgradeRequired = 426

// Upgrader upgrades HTTP/1.1 requests, and HTTP/2 extended CONNECT
// requests (RFC 8441, served by package http2), to WebSocket connections.
// Its zero value works; set its fields before the first Upgrade and do not change
// them afterwards. It is safe for concurrent use.
//
// See https://www.rfc-editor.org/rfc/rfc6455#section-4.2
type Upgrader struct {
	Config

	// Subprotocols lists the subprotocols the server speaks, in order of
	// preference: the first one the client also offers is chosen. If
	// empty, none is negotiated.
	Subprotocols []string

	// CheckOrigin reports whether the request's Origin may open a
	// connection; if not, Upgrade answers 403 Forbidden. If nil, a
	// request without Origin (not from a browser) is allowed, and one
	// with an Origin only when the origin's host (with its port) equals
	// the request's Host: a page of another site cannot connect with the
	// user's cookies.
	CheckOrigin func(ctx *volt.RequestCtx) bool
}

// IsUpgradeRequest reports whether the request asks for a WebSocket
// connection: over HTTP/1.1, Connection has the upgrade option and Upgrade
// names websocket; over HTTP/2, it is an extended CONNECT with :protocol
// websocket (RFC 8441).
func IsUpgradeRequest(ctx *volt.RequestCtx) bool {
	h := &ctx.Request.Header
	if h.IsHTTP2() {
		return h.IsConnect() && string(h.ConnectProtocol()) == "websocket"
	}
	return h.ConnectionUpgrade() && hasToken(string(h.Peek("Upgrade")), "websocket")
}

// Upgrade checks the opening handshake of the request and, when it is
// valid, answers 101 Switching Protocols (200 on an HTTP/2 stream, which
// then carries the WebSocket) and runs handler with the connection once
// the handler of ctx has returned. Call it from a volt
// handler, and return from that handler afterwards.
//
// A bad handshake is answered with 405 (not GET), 400 (not HTTP/1.1, no
// valid Sec-WebSocket-Key), 426 (no upgrade to websocket, a version other
// than 13) or 403 (Origin refused), with the reason as a text body, and
// Upgrade returns a *HandshakeError. A Compression setting out of range
// is answered with 500, and Upgrade returns ErrCompressionLevel or
// ErrWindowBits. Header fields already set on
// ctx.Response are sent with the 101 response.
//
// The handler owns the connection: it alone may read, any goroutine may
// write, and ctx stays valid until it returns. When it returns, Upgrade
// completes the closing handshake (a close frame with
// StatusNormalClosure unless one was sent, then up to CloseTimeout for the
// client's) and the server closes the connection. When the server shuts
// down, a close frame with StatusGoingAway is sent, and the connection is
// closed CloseTimeout later if the handler has not returned.
func (u *Upgrader) Upgrade(ctx *volt.RequestCtx, handler func(c *Conn)) error {
	subprotocol, pm, err := u.accept(ctx)
	if err != nil {
		return err
	}
	cfg := &u.Config
	overHTTP2 := ctx.Request.Header.IsHTTP2()
	ctx.Hijack(func(nc net.Conn) {
		c := newConn(nc, true, cfg, subprotocol, pm, nil)
		c.overHTTP2 = overHTTP2
		c.stopOnDone = ctx.AfterFunc(c.shutdown)
		defer c.finish()
		handler(c)
	})
	return nil
}

// accept checks the opening handshake of ctx's request and sets the
// response that accepts it (or the one that refuses it, with the error).
func (u *Upgrader) accept(ctx *volt.RequestCtx) (subprotocol string, pm *deflateParams, err error) {
	if err := u.Compression.check(); err != nil {
		ctx.Response.Header.SetStatusCode(volt.StatusInternalServerError)
		ctx.SetContentType("text/plain; charset=utf-8")
		ctx.SetBodyString(err.Error())
		return "", nil, err
	}
	h := &ctx.Request.Header
	var key string
	if h.IsHTTP2() {
		// RFC 8441 section 5: an extended CONNECT with :protocol
		// websocket; no key, no Upgrade or Connection fields.
		if !h.IsConnect() || string(h.ConnectProtocol()) != "websocket" {
			if !h.IsConnect() {
				ctx.Response.Header.Set("Allow", "CONNECT")
				return "", nil, u.reject(ctx, volt.StatusMethodNotAllowed, "websocket: over HTTP/2 the method must be CONNECT (RFC 8441)")
			}
			return "", nil, u.reject(ctx, volt.StatusBadRequest, "websocket: the CONNECT is not for websocket")
		}
	} else {
		if !h.IsGet() {
			ctx.Response.Header.Set("Allow", "GET")
			return "", nil, u.reject(ctx, volt.StatusMethodNotAllowed, "websocket: the method must be GET")
		}
		if !h.IsHTTP11() {
			return "", nil, u.reject(ctx, volt.StatusBadRequest, "websocket: HTTP/1.1 is required")
		}
		if !h.ConnectionUpgrade() || !hasToken(string(h.Peek("Upgrade")), "websocket") {
			setUpgradeRequired(ctx)
			return "", nil, u.reject(ctx, statusUpgradeRequired, "websocket: the request is not an upgrade to websocket")
		}
	}
	if v := h.Peek("Sec-WebSocket-Version"); string(v) != "13" {
		if !h.IsHTTP2() {
			setUpgradeRequired(ctx)
		} else {
			ctx.Response.Header.Set("Sec-WebSocket-Version", "13")
		}
		return "", nil, u.reject(ctx, statusUpgradeRequired, "websocket: unsupported Sec-WebSocket-Version (13 is)")
	}
	if !h.IsHTTP2() {
		key = string(h.Peek("Sec-WebSocket-Key"))
		if !validKey(key) {
			return "", nil, u.reject(ctx, volt.StatusBadRequest, "websocket: missing or bad Sec-WebSocket-Key")
		}
	}
	check := u.CheckOrigin
	if check == nil {
		check = SameOrigin
	}
	if !check(ctx) {
		return "", nil, u.reject(ctx, volt.StatusForbidden, "websocket: origin not allowed")
	}
	subprotocol = u.selectSubprotocol(ctx)
	var extResp string
	if u.Compression.Enabled {
		var offers []extension
		ok := true
		for k, v := range h.All() {
			if ok && strings.EqualFold(string(k), "Sec-WebSocket-Extensions") {
				offers, ok = parseExtensions(offers, string(v))
			}
		}
		if ok {
			if resp, p, accepted := acceptDeflate(offers, &u.Compression); accepted {
				extResp, pm = resp, &p
			}
		}
	}

	rh := &ctx.Response.Header
	if h.IsHTTP2() {
		// The stream is the connection: 200 opens it (RFC 8441
		// section 5).
		rh.SetStatusCode(volt.StatusOK)
	} else {
		rh.SetStatusCode(volt.StatusSwitchingProtocols)
		rh.Set("Upgrade", "websocket")
		rh.Set("Connection", "Upgrade")
		rh.Set("Sec-WebSocket-Accept", acceptKey(key))
	}
	if subprotocol != "" {
		rh.Set("Sec-WebSocket-Protocol", subprotocol)
	}
	if extResp != "" {
		rh.Set("Sec-WebSocket-Extensions", extResp)
	}
	ctx.Response.ResetBody()
	return subprotocol, pm, nil
}

// reject answers a bad handshake.
func (u *Upgrader) reject(ctx *volt.RequestCtx, status int, reason string) error {
	ctx.Response.Header.SetStatusCode(status)
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString(reason)
	return &HandshakeError{StatusCode: status, Reason: reason}
}

func setUpgradeRequired(ctx *volt.RequestCtx) {
	ctx.Response.Header.Set("Upgrade", "websocket")
	ctx.Response.Header.Set("Connection", "Upgrade")
	ctx.Response.Header.Set("Sec-WebSocket-Version", "13")
}

// selectSubprotocol returns the first of u.Subprotocols that the client
// offers, or "".
func (u *Upgrader) selectSubprotocol(ctx *volt.RequestCtx) string {
	if len(u.Subprotocols) == 0 {
		return ""
	}
	var offered []string
	for k, v := range ctx.Request.Header.All() {
		if strings.EqualFold(string(k), "Sec-WebSocket-Protocol") {
			offered = tokens(offered, string(v))
		}
	}
	for _, p := range u.Subprotocols {
		for _, o := range offered {
			if o == p {
				return p
			}
		}
	}
	return ""
}

// SameOrigin is the default Upgrader.CheckOrigin: it allows a request
// without Origin, and one whose Origin's host (with its port) equals the
// request's Host, compared without regard to case.
func SameOrigin(ctx *volt.RequestCtx) bool {
	origin := ctx.Request.Header.Peek("Origin")
	if len(origin) == 0 {
		return true
	}
	u, err := url.Parse(string(origin))
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, string(ctx.Request.Header.Host()))
}

// shutdown runs when the server shuts down: it starts the closing
// handshake with StatusGoingAway, and closes the connection CloseTimeout
// later if the handler has not returned.
func (c *Conn) shutdown() {
	if c.closed.Load() {
		// The handler returned and finish ended the connection: a
		// shutdown that lost the race has nothing left to close.
		return
	}
	d := c.cfg.closeTimeout()
	// Arm the forced close first: the close frame may wait for a writer
	// (at most d).
	time.AfterFunc(d, func() {
		if !c.closed.Swap(true) {
			_ = c.closeNet()
		}
	})
	_ = c.writeClose(StatusGoingAway, "server shutting down", time.Now().Add(d))
}

// finish runs after an Upgrade handler returns: it completes the closing
// handshake, then the server closes the connection.
func (c *Conn) finish() {
	c.stopTimers()
	if c.closed.Load() {
		return
	}
	d := c.cfg.closeTimeout()
	werr := c.writeClose(StatusNormalClosure, "", time.Now().Add(d))
	if werr == nil {
		if c.frameMu.lockWithin(d) {
			werr = c.writeErr
			c.frameMu.unlock()
		} else {
			werr = os.ErrDeadlineExceeded
		}
	}
	if !c.closeReceived && c.readErr == nil && werr == nil {
		// Read (and drop) until the client's close frame.
		_ = c.nc.SetReadDeadline(time.Now().Add(d))
		for c.beginMessage() == nil {
		}
	}
	c.closed.Store(true)
}

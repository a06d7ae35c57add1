package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http/httputil"
	"time"

	"github.com/volthttp/volt"
)

// tunnelGrace is how long the other direction of a tunnel may go on after
// one direction ended, before both are closed.
const tunnelGrace = 10 * time.Second

// pickTunnel chooses the upstream of a tunnel: the next healthy one in
// turn, or nil when none is healthy.
func (p *Proxy) pickTunnel() *upstream {
	n := len(p.ups)
	start := int(p.tun.Add(1))
	for i := 0; i < n; i++ {
		if u := p.ups[(start+i)%n]; u.healthy.Load() || n == 1 {
			return u
		}
	}
	return nil
}

// serveUpgrade forwards a request that asks for a protocol upgrade (a
// WebSocket handshake, h2c, ...) on a connection of its own. When the
// upstream answers 101 Switching Protocols, the answer goes to the client
// and the two connections are spliced until either side closes; any other
// answer is forwarded as a response and the connection closed.
func (p *Proxy) serveUpgrade(ctx *volt.RequestCtx) {
	if ctx.Request.Header.IsHTTP2() {
		p.fail(ctx, ErrUpgradeRefused)
		return
	}
	u := p.pickTunnel()
	if u == nil {
		p.fail(ctx, volt.ErrNoBackends)
		return
	}
	x := acquireExchange()
	defer releaseExchange(x)
	req := &x.req
	p.prepareRequest(ctx, req, x, true)
	if p.cfg.RewriteRequest != nil {
		p.cfg.RewriteRequest(ctx, req)
	}
	dctx, cancel := context.WithTimeout(context.Background(), orDuration(p.cfg.DialTimeout, DefaultDialTimeout))
	conn, err := u.hc.DialTunnel(dctx)
	cancel()
	if err != nil {
		p.fail(ctx, err)
		return
	}
	x.buf = req.Header.AppendBytes(x.buf[:0])
	if b := ctx.Request.Body(); len(b) > 0 {
		x.buf = append(x.buf, b...)
	}
	_ = conn.SetWriteDeadline(time.Now().Add(p.hdrTimeout))
	if _, err := conn.Write(x.buf); err != nil {
		_ = conn.Close()
		p.fail(ctx, err)
		return
	}
	_ = conn.SetWriteDeadline(time.Time{})
	br := bufio.NewReader(conn)
	up := &x.resp.Header
	if err := up.Read(br); err != nil {
		_ = conn.Close()
		p.fail(ctx, err)
		return
	}
	out := &ctx.Response
	up.CopyTo(&out.Header)
	switched := up.StatusCode() == volt.StatusSwitchingProtocols
	x.buf = stripResponse(&out.Header, x.buf, switched)
	out.Header.AddBytes(keyVia, p.via11)
	if !switched {
		p.forwardRefusal(ctx, up, conn, br)
		return
	}
	if uc := tunnelConn(conn); uc != nil {
		uc.tunnel()
	}
	ctx.Hijack(func(c net.Conn) { splice(ctx, c, conn, br) })
}

// forwardRefusal answers the client with the upstream's answer other than
// 101 to an upgrade request, its body read from br as its head frames it;
// conn is closed after.
func (p *Proxy) forwardRefusal(ctx *volt.RequestCtx, up *volt.ResponseHeader, conn net.Conn, br *bufio.Reader) {
	out := &ctx.Response
	code := up.StatusCode()
	switch n := up.ContentLength(); {
	case ctx.Request.Header.IsHead() || code == volt.StatusNoContent || code == volt.StatusNotModified || code < 200:
		_ = conn.Close()
	case hasToken(up.Peek("Transfer-Encoding"), "chunked"):
		out.SetBodyStream(&connBody{r: httputil.NewChunkedReader(br), c: conn}, -1)
	case n >= 0:
		out.SetBodyStream(&connBody{r: io.LimitReader(br, n), c: conn}, n)
	default:
		out.SetBodyStream(&connBody{r: br, c: conn}, -1)
	}
	out.Header.SetConnectionClose()
}

// connBody is a body read from a connection of its own, closed with it.
type connBody struct {
	r io.Reader
	c net.Conn
}

func (b *connBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *connBody) Close() error               { return b.c.Close() }

// tunnelConn finds the upstreamConn under a tunnel's connection (under
// TLS too).
func tunnelConn(c net.Conn) *upstreamConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	uc, _ := c.(*upstreamConn)
	return uc
}

// splice copies bytes both ways between the client connection and the
// upstream connection (whose first bytes may be buffered in br) until
// both directions ended, or one ended and tunnelGrace passed, or the
// server shuts down.
func splice(ctx context.Context, client, upstream net.Conn, br *bufio.Reader) {
	closeBoth := func() {
		_ = client.Close()
		_ = upstream.Close()
	}
	stop := context.AfterFunc(ctx, closeBoth)
	defer stop()
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(upstream, client)
		closeWrite(upstream)
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(client, br)
		closeWrite(client)
		done <- struct{}{}
	}()
	<-done
	t := time.NewTimer(tunnelGrace)
	select {
	case <-done:
	case <-t.C:
	}
	t.Stop()
	closeBoth()
}

// closeWrite passes an end of stream on: a half close where the
// connection has one, else a close.
func closeWrite(c net.Conn) {
	switch cw := c.(type) {
	case interface{ CloseWrite() error }:
		_ = cw.CloseWrite()
	default:
		_ = c.Close()
	}
}

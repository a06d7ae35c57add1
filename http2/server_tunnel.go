package http2

import (
	"net"
	"os"
	"sync"
	"time"

	"github.com/volthttp/volt"
)

// A CONNECT stream whose handler answers 2xx and calls RequestCtx.Hijack
// becomes a tunnel: the hijack handler gets the stream as a net.Conn,
// whose reads take the client's DATA and whose writes send DATA (RFC 9113
// section 8.5). An extended CONNECT (RFC 8441, :protocol websocket) is how
// a WebSocket runs over an HTTP/2 stream; websocket.Upgrader does it.

// serveTunnel sends the response head of ctx without ending the stream,
// then runs h with the stream as a connection, and ends the stream when h
// returns.
func (st *stream) serveTunnel(ctx *volt.RequestCtx, h volt.HijackHandler) {
	cc := st.cc
	cc.mu.Lock()
	if st.reset {
		cc.mu.Unlock()
		return
	}
	cc.appendHead(st, &ctx.Response, -1, false)
	cc.mu.Unlock()
	if cc.flush() != nil {
		return
	}
	c := &streamConn{st: st}
	defer c.Close()
	h(c)
}

// isTunnel reports whether ctx's response opens a tunnel: a 2xx to a
// CONNECT whose handler hijacked the stream.
func (st *stream) isTunnel(ctx *volt.RequestCtx) bool {
	code := ctx.Response.StatusCode()
	return st.tunnel && ctx.Hijacked() && (code == 0 || code >= 200 && code < 300)
}

// streamConn is a tunnel's stream seen as a net.Conn. Reads are for one
// goroutine; writes may come from several and are serialised.
type streamConn struct {
	st *stream

	wmu    sync.Mutex // serialises writes and Close
	closed bool       // guarded by wmu
	wdl    time.Time  // write deadline, guarded by wmu
}

// Read reads DATA the client sent; io.EOF once it ended its side.
func (c *streamConn) Read(b []byte) (int, error) { return c.st.body.Read(b) }

// Write sends b as DATA frames, as the flow-control windows allow.
func (c *streamConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	if !c.wdl.IsZero() && !time.Now().Before(c.wdl) {
		return 0, os.ErrDeadlineExceeded
	}
	if err := c.st.send(b, false); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Close ends the server's side of the stream (END_STREAM); reads then
// fail with net.ErrClosed.
func (c *streamConn) Close() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.st.send(nil, true)
	cc := c.st.cc
	cc.mu.Lock()
	c.st.body.closeWithError(net.ErrClosed)
	cc.mu.Unlock()
	return err
}

// LocalAddr returns the connection's local address.
func (c *streamConn) LocalAddr() net.Addr { return c.st.cc.conn.LocalAddr() }

// RemoteAddr returns the client's address.
func (c *streamConn) RemoteAddr() net.Addr { return c.st.cc.conn.RemoteAddr() }

// SetDeadline sets both deadlines.
func (c *streamConn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline bounds Read; a Read that waits returns
// os.ErrDeadlineExceeded once t passes.
func (c *streamConn) SetReadDeadline(t time.Time) error {
	cc := c.st.cc
	cc.mu.Lock()
	c.st.body.deadline = t
	c.st.body.signal()
	cc.mu.Unlock()
	return nil
}

// SetWriteDeadline bounds the start of Write; a write that has started
// is bounded by the server's WriteTimeout.
func (c *streamConn) SetWriteDeadline(t time.Time) error {
	c.wmu.Lock()
	c.wdl = t
	c.wmu.Unlock()
	return nil
}

package http2

import (
	"context"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/http2/hpack"
	"github.com/volthttp/volt/internal/ascii"
	"github.com/volthttp/volt/internal/bytesconv"
)

var (
	strProtocol = []byte(":protocol")
	strConnect  = []byte("CONNECT")
)

// Tunnel opens a two-way stream with req, a CONNECT request
// (volt.MuxConn): a plain CONNECT to req's authority (RFC 9113 section
// 8.5: only :method and :authority are sent), or an extended CONNECT when
// req.Header.ConnectProtocol() is set (RFC 8441: :protocol, :scheme,
// :path and :authority). For an extended CONNECT it first waits, bounded
// by ctx, for the server's SETTINGS, and returns
// volt.ErrExtendedConnectRefused without sending anything unless they
// set SETTINGS_ENABLE_CONNECT_PROTOCOL.
//
// The response head is read into resp. On a 2xx answer the returned
// net.Conn reads the server's DATA (the windows are given back as it is
// read) and writes DATA within the server's windows; its deadlines work
// as net.Conn's do (a passed deadline fails with an error whose Timeout()
// is true; moving it makes the calls work again); Close ends the stream
// (END_STREAM, then RST_STREAM CANCEL if the server has not ended its
// side); CloseWrite ends the client's side only. A write waiting for
// window without a write deadline waits at most WriteTimeout, then resets
// the stream. The stream fails when the connection ends. On another
// answer it returns a nil net.Conn and a nil error, the body in resp.
// ctx bounds the opening only.
func (cc *ClientConn) Tunnel(ctx context.Context, req *volt.Request, resp *volt.Response) (net.Conn, error) {
	resp.Reset()
	proto := req.Header.ConnectProtocol()
	host, path, err := checkTunnel(req, len(proto) > 0)
	if err != nil {
		return nil, err
	}
	if len(proto) > 0 {
		select {
		case <-cc.settingsIn:
		case <-cc.readerDone:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b := newClientBody(cc, resp, nil, net.ErrClosed)
	st := &clientStream{
		done: make(chan struct{}, 1), wake: make(chan struct{}, 1),
		resp: resp, body: b, tunnel: true, contentLength: -1,
	}
	b.st = st

	cc.mu.Lock()
	if len(proto) > 0 && cc.err == nil && !cc.peerConnect {
		cc.mu.Unlock()
		return nil, volt.ErrExtendedConnectRefused
	}
	if err := cc.openLocked(st); err != nil {
		cc.mu.Unlock()
		return nil, err
	}
	cc.hbuf = cc.appendTunnelBlock(cc.hbuf[:0], req, host, path, proto)
	cc.wbuf = AppendHeaderBlock(cc.wbuf, st.id, false, cc.hbuf, cc.peerMaxFrame)
	st.sending = true
	_ = cc.flushLocked()
	cc.mu.Unlock()
	cc.reportWrote(st, nil)

	var why error
wait:
	for {
		select {
		case <-st.done:
			break wait
		case <-st.wake:
			cc.mu.Lock()
			got := st.gotHead
			cc.mu.Unlock()
			if got {
				break wait
			}
		case <-ctx.Done():
			why = ctx.Err()
			break wait
		}
	}
	cc.mu.Lock()
	if !st.gotHead {
		if !st.finished {
			cc.resetLocked(st.id, ErrCodeCancel, why)
			_ = cc.flushLocked()
		}
		err := st.err
		b.doneLocked()
		cc.mu.Unlock()
		return nil, err
	}
	if st.tunnelOpen {
		b.resp = nil // the trailers of a tunnel are dropped
		cc.mu.Unlock()
		return &tunnelConn{cc: cc, st: st, b: b}, nil
	}
	cc.mu.Unlock()
	// Another answer: its body, then the stream is over.
	var chunk [4 << 10]byte
	for {
		n, err := b.Read(chunk[:])
		resp.AppendBody(chunk[:n])
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			_ = b.Close()
			resp.ResetBody()
			return nil, err
		}
	}
}

// checkTunnel validates a CONNECT request and returns its :authority and,
// for an extended CONNECT, its :path.
func checkTunnel(req *volt.Request, extended bool) (host, path []byte, err error) {
	h := &req.Header
	if !h.IsConnect() {
		return nil, nil, errTunnelNotConnect
	}
	uri := req.URI()
	host = uri.Host()
	if len(host) == 0 {
		host = h.Host()
	}
	if len(host) == 0 && !extended {
		host = h.RequestURI() // authority-form
	}
	if !validAuthority(host) {
		return nil, nil, volt.ErrInvalidHeaderField
	}
	if extended {
		if !ascii.ValidToken(h.ConnectProtocol()) {
			return nil, nil, volt.ErrInvalidHeaderField
		}
		if path = uri.RequestURI(); !validOriginPath(path) {
			return nil, nil, volt.ErrInvalidHeaderField
		}
	}
	if !validFields(h) {
		return nil, nil, volt.ErrInvalidHeaderField
	}
	return host, path, nil
}

// appendTunnelBlock encodes the head of a CONNECT (cc.mu held).
func (cc *ClientConn) appendTunnelBlock(dst []byte, req *volt.Request, host, path, proto []byte) []byte {
	dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strMethod, Value: strConnect})
	if len(proto) > 0 {
		dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strProtocol, Value: proto})
		dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strScheme, Value: bytesconv.S2B(cc.scheme)})
		dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strPath, Value: path})
	}
	dst = cc.enc.AppendField(dst, hpack.HeaderField{Name: strAuthority, Value: host})
	return cc.appendFields(dst, &req.Header)
}

// tunnelConn is an accepted CONNECT stream seen as a net.Conn. Reads are
// the clientBody's; writes are serialised by wmu; the rest is guarded by
// cc.mu.
type tunnelConn struct {
	cc *ClientConn
	st *clientStream
	b  *clientBody

	wmu    sync.Mutex
	closed bool
	wdl    time.Time
	wtimer *time.Timer
}

func (c *tunnelConn) Read(p []byte) (int, error) { return c.b.Read(p) }

// Write sends p in DATA frames as the windows allow.
func (c *tunnelConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	cc, st := c.cc, c.st
	cc.mu.Lock()
	defer cc.mu.Unlock()
	written := 0
	for len(p) > 0 {
		switch {
		case c.closed:
			return written, net.ErrClosed
		case st.finished && st.err != nil:
			return written, st.err
		case st.finished || !st.sending:
			return written, io.ErrClosedPipe
		case !c.wdl.IsZero() && !time.Now().Before(c.wdl):
			return written, os.ErrDeadlineExceeded
		}
		n := min(int64(len(p)), cc.sendWindow, st.sendWindow, maxClientChunk)
		if n <= 0 {
			if err := c.waitWindowLocked(); err != nil {
				return written, err
			}
			continue
		}
		cc.sendWindow -= n
		st.sendWindow -= n
		cc.queueDataLocked(st.id, p[:n], false)
		p = p[n:]
		written += int(n)
		if err := cc.flushLocked(); err != nil {
			return written, err
		}
	}
	return written, nil
}

// waitWindowLocked waits for window until the write deadline, or for
// WriteTimeout without one (then the stream is reset: the server stopped
// reading). cc.mu is held, and released while waiting.
func (c *tunnelConn) waitWindowLocked() error {
	cc, st := c.cc, c.st
	d := cc.writeTimeout
	if !c.wdl.IsZero() {
		d = time.Until(c.wdl)
	}
	connWait := cc.sendWindow <= 0
	if connWait {
		cc.windowWaiters++
	}
	if c.wtimer == nil {
		c.wtimer = time.NewTimer(d)
	} else {
		c.wtimer.Reset(d)
	}
	cc.mu.Unlock()
	expired := false
	select {
	case <-st.wake: // window, a new deadline, Close, or the stream's end
	case <-c.wtimer.C:
		expired = true
	}
	c.wtimer.Stop()
	cc.mu.Lock()
	if connWait {
		cc.windowWaiters--
	}
	if expired && c.wdl.IsZero() && !st.finished {
		err := StreamError{StreamID: st.id, Code: ErrCodeCancel, Cause: errClientWriteTimeout}
		cc.resetLocked(st.id, ErrCodeCancel, err)
		_ = cc.flushLocked()
		return err
	}
	return nil // the loop checks the deadline and the state
}

// CloseWrite ends the client's side of the stream (END_STREAM); reads go
// on until the server ends its side.
func (c *tunnelConn) CloseWrite() error {
	cc, st := c.cc, c.st
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	if st.finished || !st.sending {
		return nil
	}
	c.endLocked()
	return cc.flushLocked()
}

// endLocked sends END_STREAM, and finishes the stream if the server had
// ended its side.
func (c *tunnelConn) endLocked() {
	cc, st := c.cc, c.st
	cc.queueDataLocked(st.id, nil, true)
	st.sending = false
	if st.respDone {
		st.finishLocked(cc, st.id, nil)
	}
}

// Close ends the stream: END_STREAM if the client's side is open, then
// RST_STREAM CANCEL if the server's is. Blocked reads and writes return
// net.ErrClosed.
func (c *tunnelConn) Close() error {
	cc, st, b := c.cc, c.st, c.b
	cc.mu.Lock()
	if c.closed {
		cc.mu.Unlock()
		return nil
	}
	c.closed = true
	if !st.finished {
		if st.sending {
			c.endLocked()
		}
		if !st.finished {
			cc.resetLocked(st.id, ErrCodeCancel, net.ErrClosed)
		}
		_ = cc.flushLocked()
	}
	b.closed = true
	b.doneLocked()
	b.wake()
	st.wakeSender()
	cc.mu.Unlock()
	return nil
}

func (c *tunnelConn) LocalAddr() net.Addr  { return c.cc.c.LocalAddr() }
func (c *tunnelConn) RemoteAddr() net.Addr { return c.cc.c.RemoteAddr() }

// SetDeadline sets the read and write deadlines.
func (c *tunnelConn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline bounds Read calls, a blocked one included.
func (c *tunnelConn) SetReadDeadline(t time.Time) error {
	c.cc.mu.Lock()
	c.b.rdl = t
	c.b.wake()
	c.cc.mu.Unlock()
	return nil
}

// SetWriteDeadline bounds Write calls, a blocked one included.
func (c *tunnelConn) SetWriteDeadline(t time.Time) error {
	c.cc.mu.Lock()
	c.wdl = t
	c.st.wakeSender()
	c.cc.mu.Unlock()
	return nil
}

package adaptor

import (
	"bufio"
	"bytes"
	"net"
	"sync"
	"time"

	"github.com/volthttp/volt"
)

// maxHijackHead is the longest response head a handler may write on a
// hijacked connection.
const maxHijackHead = 64 << 10

// hijackConn is the net.Conn Hijack returns. What the handler writes
// first is its response head: hijackConn reads it, gives it to the
// RequestCtx and tells the waiting volt handler, which returns so that
// volt sends the head and hands the connection over (HijackDetached).
// From then on reads and writes go to the connection.
type hijackConn struct {
	rc     *volt.RequestCtx // until the head is handed over
	ev     chan<- event
	local  net.Addr
	remote net.Addr

	mu       sync.Mutex // guards everything below
	state    hijackState
	head     []byte // the head, then what was written after it
	attached chan struct{}
	d        *volt.Detached
	conn     net.Conn // d's connection, reading d.Pending first
	closing  bool     // Close was called before the connection came
	rdl, wdl time.Time
}

type hijackState uint8

const (
	hijackHead    hijackState = iota // the head is being written
	hijackWaiting                    // head handed over, connection not yet here
	hijackLive                       // the connection is the handler's
	hijackDone                       // closed, or failed
)

func newHijackConn(rc *volt.RequestCtx, ev chan<- event) *hijackConn {
	c := &hijackConn{rc: rc, ev: ev, local: rc.LocalAddr(), remote: rc.RemoteAddr(),
		attached: make(chan struct{})}
	// The RequestCtx closes its Close-able user values when the request
	// ends: if volt did not hand the connection over, the writer waiting
	// for it learns so there.
	rc.SetUserValue(hijackKey{}, hijackGuard{c})
	return c
}

type hijackKey struct{}

// hijackGuard ends a wait for a connection that will not come.
type hijackGuard struct{ c *hijackConn }

func (g hijackGuard) Close() error {
	c := g.c
	c.mu.Lock()
	if c.state == hijackWaiting {
		c.state = hijackDone
		close(c.attached)
	}
	c.mu.Unlock()
	return nil
}

// attach is the DetachedHandler: the connection is the handler's now.
func (c *hijackConn) attach(d *volt.Detached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != hijackWaiting {
		_ = d.Close()
		return
	}
	c.d = d
	c.conn = &pendingConn{Conn: d.Conn(), pending: d.Pending()}
	c.state = hijackLive
	close(c.attached)
	if !c.rdl.IsZero() {
		_ = c.conn.SetReadDeadline(c.rdl)
	}
	if !c.wdl.IsZero() {
		_ = c.conn.SetWriteDeadline(c.wdl)
	}
	if len(c.head) > 0 {
		if _, err := c.conn.Write(c.head); err != nil {
			c.closing = true
		}
		c.head = nil
	}
	if c.closing {
		c.state = hijackDone
		_ = d.Close()
	}
}

// Write implements net.Conn.
func (c *hijackConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.state == hijackHead {
		defer c.mu.Unlock()
		return c.writeHead(p)
	}
	c.mu.Unlock()
	conn, err := c.wait()
	if err != nil {
		return 0, err
	}
	return conn.Write(p)
}

// writeHead collects the response head; c.mu is held.
func (c *hijackConn) writeHead(p []byte) (int, error) {
	c.head = append(c.head, p...)
	i := bytes.Index(c.head, []byte("\r\n\r\n"))
	if i < 0 {
		if len(c.head) > maxHijackHead {
			c.fail()
			return 0, ErrHijackHead
		}
		return len(p), nil
	}
	rc := c.rc
	var h volt.ResponseHeader
	h.Reset()
	err := h.Read(bufio.NewReaderSize(bytes.NewReader(c.head[:i+4]), i+4+16))
	code := h.StatusCode()
	if err != nil || !(code == volt.StatusSwitchingProtocols ||
		rc.Request.Header.IsConnect() && code >= 200 && code < 300) {
		c.fail()
		return 0, ErrHijackHead
	}
	rc.Response.Reset()
	h.CopyTo(&rc.Response.Header)
	c.head = append([]byte(nil), c.head[i+4:]...)
	c.state, c.rc = hijackWaiting, nil
	c.ev <- event{kind: eventHead, hc: c}
	return len(p), nil
}

// fail ends a hijack whose head cannot be sent; c.mu is held.
func (c *hijackConn) fail() {
	c.state, c.rc = hijackDone, nil
	c.ev <- event{kind: eventClosed}
}

// wait returns the connection once volt handed it over.
func (c *hijackConn) wait() (net.Conn, error) {
	<-c.attached
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != hijackLive {
		return nil, net.ErrClosed
	}
	return c.conn, nil
}

// Read implements net.Conn. A read before the head was written fails
// with ErrHijackRead: the client sends nothing before it has the head.
func (c *hijackConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	if st == hijackHead {
		return 0, ErrHijackRead
	}
	conn, err := c.wait()
	if err != nil {
		return 0, err
	}
	return conn.Read(p)
}

// Close implements net.Conn. Before the head was written, the request
// gets a 500 and its connection closes, since volt must answer it.
func (c *hijackConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.state {
	case hijackHead:
		c.fail()
	case hijackWaiting:
		c.closing = true
	case hijackLive:
		c.state = hijackDone
		return c.d.Close()
	}
	return nil
}

// LocalAddr implements net.Conn.
func (c *hijackConn) LocalAddr() net.Addr { return c.local }

// RemoteAddr implements net.Conn.
func (c *hijackConn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline implements net.Conn.
func (c *hijackConn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline implements net.Conn; before the connection is handed
// over, the deadline is kept and set then.
func (c *hijackConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == hijackLive {
		return c.conn.SetReadDeadline(t)
	}
	c.rdl = t
	return nil
}

// SetWriteDeadline implements net.Conn, as SetReadDeadline.
func (c *hijackConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == hijackLive {
		return c.conn.SetWriteDeadline(t)
	}
	c.wdl = t
	return nil
}

// pendingConn reads the bytes volt read ahead before the connection.
type pendingConn struct {
	net.Conn
	pending []byte
}

func (c *pendingConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

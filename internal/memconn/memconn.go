// Package memconn provides in-memory, buffered net.Conn pairs and a
// net.Listener over them, with working deadlines, for tests, examples and
// benchmarks that must not depend on the network. Unlike net.Pipe, writes
// do not wait for the reader, as with a TCP socket.
package memconn

import (
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// pipe is one direction of a connection.
type pipe struct {
	mu       sync.Mutex
	buf      []byte // buf[off:] is unread; the storage is reused
	off      int
	closed   bool // the writer closed: reads drain buf then get EOF
	rclosed  bool // the reader closed: reads and writes fail
	deadline time.Time
	wake     chan struct{} // capacity 1: data, close or deadline change
	timer    *time.Timer   // reused by read, which only one goroutine calls
}

func newPipe() *pipe { return &pipe{wake: make(chan struct{}, 1)} }

func (p *pipe) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *pipe) read(b []byte) (int, error) {
	for {
		p.mu.Lock()
		if p.rclosed {
			p.mu.Unlock()
			return 0, net.ErrClosed
		}
		if p.off < len(p.buf) {
			n := copy(b, p.buf[p.off:])
			p.off += n
			if p.off == len(p.buf) {
				p.buf, p.off = p.buf[:0], 0
			}
			p.mu.Unlock()
			return n, nil
		}
		if p.closed {
			p.mu.Unlock()
			return 0, io.EOF
		}
		dl := p.deadline
		p.mu.Unlock()
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, os.ErrDeadlineExceeded
			}
			if p.timer == nil {
				p.timer = time.NewTimer(d)
			} else {
				p.timer.Reset(d)
			}
			select {
			case <-p.wake:
			case <-p.timer.C:
			}
			p.timer.Stop()
			continue
		}
		<-p.wake
	}
}

func (p *pipe) write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.rclosed {
		return 0, net.ErrClosed
	}
	p.buf = append(p.buf, b...)
	p.signal()
	return len(b), nil
}

func (p *pipe) setDeadline(t time.Time) {
	p.mu.Lock()
	p.deadline = t
	p.mu.Unlock()
	p.signal()
}

// Conn is one end of an in-memory connection.
type Conn struct {
	r, w          *pipe
	local, remote net.Addr

	// The write deadline. A write only checks wexpired, so that it reads
	// no clock: wtimer sets it when wdl passes. mu guards wdl and wtimer.
	mu       sync.Mutex
	wdl      time.Time
	wtimer   *time.Timer
	wexpired atomic.Bool
}

// Addr is the address of an in-memory endpoint.
type Addr string

// Network returns "memconn".
func (a Addr) Network() string { return "memconn" }
func (a Addr) String() string  { return string(a) }

// Pair returns the two ends of a new connection.
func Pair() (*Conn, *Conn) {
	a, b := newPipe(), newPipe()
	return &Conn{r: a, w: b, local: Addr("client"), remote: Addr("server")},
		&Conn{r: b, w: a, local: Addr("server"), remote: Addr("client")}
}

// Read implements net.Conn.
func (c *Conn) Read(b []byte) (int, error) { return c.r.read(b) }

// Write implements net.Conn. It fails with os.ErrDeadlineExceeded, and
// writes nothing, after a write deadline passed.
func (c *Conn) Write(b []byte) (int, error) {
	if c.wexpired.Load() {
		return 0, os.ErrDeadlineExceeded
	}
	return c.w.write(b)
}

// WritesResume reports true: a write that fails on a deadline writes
// nothing and leaves the connection usable, as on a TCP socket.
func (c *Conn) WritesResume() bool { return true }

// Close closes both directions.
func (c *Conn) Close() error {
	for _, p := range []*pipe{c.w} {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.signal()
	}
	c.r.mu.Lock()
	c.r.rclosed = true
	c.r.mu.Unlock()
	c.r.signal()
	c.mu.Lock()
	if c.wtimer != nil {
		c.wtimer.Stop()
	}
	c.mu.Unlock()
	return nil
}

// CloseWrite closes the writing direction: the peer reads EOF.
func (c *Conn) CloseWrite() error {
	c.w.mu.Lock()
	c.w.closed = true
	c.w.mu.Unlock()
	c.w.signal()
	return nil
}

// LocalAddr implements net.Conn.
func (c *Conn) LocalAddr() net.Addr { return c.local }

// RemoteAddr implements net.Conn.
func (c *Conn) RemoteAddr() net.Addr { return c.remote }

// SetDeadline implements net.Conn.
func (c *Conn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline implements net.Conn.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.r.setDeadline(t)
	return nil
}

// SetWriteDeadline implements net.Conn.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wdl = t
	if t.IsZero() {
		c.wexpired.Store(false)
		if c.wtimer != nil {
			c.wtimer.Stop()
		}
		return nil
	}
	d := time.Until(t)
	c.wexpired.Store(d <= 0)
	if d > 0 {
		if c.wtimer == nil {
			c.wtimer = time.AfterFunc(d, c.writeDeadlinePassed)
		} else {
			c.wtimer.Reset(d)
		}
	}
	return nil
}

// writeDeadlinePassed runs when the write deadline's timer fires; the
// deadline may have moved since, so it looks again.
func (c *Conn) writeDeadlinePassed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.wdl.IsZero() && !time.Now().Before(c.wdl) {
		c.wexpired.Store(true)
	}
}

// Listener is a net.Listener whose connections are made by Dial.
type Listener struct {
	conns  chan net.Conn
	once   sync.Once
	closed chan struct{}
}

// NewListener returns a new in-memory listener.
func NewListener() *Listener {
	return &Listener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

// Accept implements net.Listener.
func (l *Listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *Listener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr implements net.Listener.
func (l *Listener) Addr() net.Addr { return Addr("memconn") }

// Dial connects to the listener; it fails once the listener is closed.
func (l *Listener) Dial() (net.Conn, error) {
	client, server := Pair()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

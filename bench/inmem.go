package bench

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// InmemListener is a net.Listener whose connections are in-memory pipes
// made by Dial. Every server in this package is benchmarked on it, so that
// the transport costs the same for each.
//
// Unlike net.Pipe, the pipes are buffered: a Write appends to the peer's
// read buffer and returns at once (it blocks only past maxBuffered bytes),
// so a pipelined batch goes across in one step, as it would on a socket.
type InmemListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	seq   int
	mu    sync.Mutex
}

// NewInmemListener returns a listener ready for Accept and Dial.
func NewInmemListener() *InmemListener {
	return &InmemListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

var inmemServerAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}

// Accept waits for the next Dial. After Close it returns net.ErrClosed.
func (l *InmemListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close makes Accept and Dial fail. Connections already made stay open.
func (l *InmemListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr returns 127.0.0.1:80; nothing listens there.
func (l *InmemListener) Addr() net.Addr { return inmemServerAddr }

// Dial makes a connection pair, hands the server end to Accept and
// returns the client end. It blocks until a server accepts it.
func (l *InmemListener) Dial() (net.Conn, error) {
	l.mu.Lock()
	l.seq++
	clientAddr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1024 + l.seq%60000}
	l.mu.Unlock()
	client, server := NewPipe(clientAddr, inmemServerAddr)
	select {
	case l.conns <- server:
		return client, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// maxBuffered is how many unread bytes a pipe holds before Write blocks.
const maxBuffered = 1 << 20

// NewPipe returns the two ends of a buffered in-memory connection. a's
// LocalAddr is aAddr and b's is bAddr.
func NewPipe(aAddr, bAddr net.Addr) (a, b net.Conn) {
	ab, ba := newPipe(), newPipe()
	a = &pipeConn{r: ba, w: ab, local: aAddr, remote: bAddr}
	b = &pipeConn{r: ab, w: ba, local: bAddr, remote: aAddr}
	return a, b
}

// pipe is one direction of a connection: bytes written by one end and not
// yet read by the other. All fields are guarded by mu; cond is signalled
// (broadcast) on every change a waiter may be waiting for.
type pipe struct {
	mu   sync.Mutex
	cond sync.Cond

	// Invariant: 0 <= r <= len(buf); buf[r:] is written and unread.
	buf []byte
	r   int

	wclosed bool // the writing end closed: reads return io.EOF once drained
	rclosed bool // the reading end closed: writes fail

	rdeadline, wdeadline time.Time
	rtimer, wtimer       *time.Timer
}

func newPipe() *pipe {
	p := &pipe{}
	p.cond.L = &p.mu
	return p
}

func (p *pipe) wake() {
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
}

// expired reports whether deadline d has passed. Called with mu held.
func expired(d time.Time) bool { return !d.IsZero() && !time.Now().Before(d) }

func (p *pipe) read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.rclosed:
			return 0, net.ErrClosed
		case expired(p.rdeadline):
			return 0, os.ErrDeadlineExceeded
		case p.r < len(p.buf):
			n := copy(b, p.buf[p.r:])
			p.r += n
			if p.r == len(p.buf) {
				p.buf, p.r = p.buf[:0], 0
			}
			p.cond.Broadcast() // a writer may wait for room
			return n, nil
		case p.wclosed:
			return 0, io.EOF
		case len(b) == 0:
			return 0, nil
		}
		p.cond.Wait()
	}
}

func (p *pipe) write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		switch {
		case p.wclosed:
			return 0, net.ErrClosed
		case p.rclosed:
			return 0, io.ErrClosedPipe
		case expired(p.wdeadline):
			return 0, os.ErrDeadlineExceeded
		case len(p.buf)-p.r < maxBuffered:
			p.buf = append(p.buf, b...)
			p.cond.Broadcast()
			return len(b), nil
		}
		p.cond.Wait()
	}
}

// setDeadline sets *d to t and arms *tm to wake the waiters at t.
func (p *pipe) setDeadline(d *time.Time, tm **time.Timer, t time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*d = t
	if t.IsZero() {
		if *tm != nil {
			(*tm).Stop()
		}
		return
	}
	wait := time.Until(t)
	if wait <= 0 {
		p.cond.Broadcast()
		return
	}
	if *tm == nil {
		*tm = time.AfterFunc(wait, p.wake)
	} else {
		(*tm).Reset(wait)
	}
}

func (p *pipe) closeRead() {
	p.mu.Lock()
	p.rclosed = true
	p.buf, p.r = nil, 0
	p.cond.Broadcast()
	p.mu.Unlock()
}

func (p *pipe) closeWrite() {
	p.mu.Lock()
	p.wclosed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}

// pipeConn is one end of a pipe pair.
type pipeConn struct {
	r, w          *pipe
	local, remote net.Addr
	closeOnce     sync.Once
}

func (c *pipeConn) Read(b []byte) (int, error)  { return c.r.read(b) }
func (c *pipeConn) Write(b []byte) (int, error) { return c.w.write(b) }

// Close closes both directions: the peer reads io.EOF after the bytes
// already written, and its writes fail.
func (c *pipeConn) Close() error {
	c.closeOnce.Do(func() {
		c.r.closeRead()
		c.w.closeWrite()
	})
	return nil
}

// CloseWrite closes the writing direction only: the peer reads io.EOF.
func (c *pipeConn) CloseWrite() error {
	c.w.closeWrite()
	return nil
}

func (c *pipeConn) LocalAddr() net.Addr  { return c.local }
func (c *pipeConn) RemoteAddr() net.Addr { return c.remote }

func (c *pipeConn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *pipeConn) SetReadDeadline(t time.Time) error {
	c.r.setDeadline(&c.r.rdeadline, &c.r.rtimer, t)
	return nil
}

func (c *pipeConn) SetWriteDeadline(t time.Time) error {
	c.w.setDeadline(&c.w.wdeadline, &c.w.wtimer, t)
	return nil
}

package fastcgi

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
)

// conn is one connection to the application with its buffers and the
// state of the request it carries. It belongs to one request at a time:
// from Client.get until Client.put (which the response body's Close calls
// when the answer is streamed).
type conn struct {
	client *Client
	nc     net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	rr     recordReader
	stderr stderrLog
	body   bodyStream
	logger *slog.Logger

	path   []byte // the cleaned request path: SCRIPT_NAME then PATH_INFO
	params []byte // the encoded PARAMS stream
	name   []byte // scratch for an HTTP_* name
	value  []byte // scratch for a joined header value
	hdr    []byte // the CGI header as it arrives
	acc    []byte // the start of the body
	in     []byte // STDIN and drain buffer

	ctx      *volt.RequestCtx // the request being served; read by onDone
	gone     atomic.Bool      // the client went away: deadlines stay past
	doomed   bool             // onDone may have run: the connection is not reused
	onDone   func()           // cn.clientGone, made once
	reused   bool             // taken from the idle list
	bodySent bool             // request body bytes were read from the client
	idle     idleCheck
	deadline func()
}

const (
	readBufferSize  = 16 << 10
	writeBufferSize = 16 << 10
	stdinChunk      = 32 << 10
	bufferedBody    = 64 << 10 // a body that arrived whole up to this size is sent without streaming
)

func (c *Client) newConn(nc net.Conn) *conn {
	cn := &conn{
		client: c,
		nc:     nc,
		br:     bufio.NewReaderSize(nc, readBufferSize),
		bw:     bufio.NewWriterSize(nc, writeBufferSize),
		hdr:    make([]byte, 0, 4096),
		in:     make([]byte, stdinChunk),
	}
	cn.initIdle()
	cn.deadline = cn.setReadDeadline
	cn.onDone = cn.clientGone
	cn.rr.before = cn.deadline
	cn.rr.stderr = cn.stderr.write
	cn.body.cn = cn
	return cn
}

func (cn *conn) setReadDeadline() {
	_ = cn.nc.SetReadDeadline(time.Now().Add(cn.client.readTimeout))
	if cn.gone.Load() {
		_ = cn.nc.SetReadDeadline(longAgo)
	}
}

// setWriteDeadline sets the deadline of the next write, unless the client
// went away.
func (cn *conn) setWriteDeadline() {
	_ = cn.nc.SetWriteDeadline(time.Now().Add(cn.client.writeTimeout))
	if cn.gone.Load() {
		_ = cn.nc.SetWriteDeadline(longAgo)
	}
}

var longAgo = time.Unix(1, 0)

// clientGone runs (as a RequestCtx.AfterFunc) when the request's context
// is cancelled. If the client went away, the wait for the application
// ends at once: the connection's deadlines are set in the past, and it
// is closed afterwards. Server shutdown does not abort the request.
func (cn *conn) clientGone() {
	if errors.Is(cn.ctx.Err(), volt.ErrClientGone) {
		cn.gone.Store(true)
		_ = cn.nc.SetDeadline(longAgo)
	}
}

// get returns a connection: an idle one that is still open, or a new
// one. It waits up to DialTimeout when MaxConns are in use.
func (c *Client) get() (*conn, error) {
	select {
	case c.sem <- struct{}{}:
	default:
		t := time.NewTimer(c.dialTimeout)
		select {
		case c.sem <- struct{}{}:
			t.Stop()
		case <-t.C:
			return nil, ErrPoolTimeout
		}
	}
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			<-c.sem
			return nil, ErrClosed
		}
		n := len(c.idle)
		if n == 0 {
			c.mu.Unlock()
			break
		}
		cn := c.idle[n-1]
		c.idle[n-1] = nil
		c.idle = c.idle[:n-1]
		c.mu.Unlock()
		if cn.alive() {
			cn.reused, cn.bodySent = true, false
			return cn, nil
		}
		_ = cn.nc.Close()
	}
	nc, err := c.dialer.Dial(c.network, c.address)
	if err != nil {
		<-c.sem
		return nil, err
	}
	return c.newConn(nc), nil
}

// put ends a request on cn: the connection is kept for the next request
// if reuse is set and there is room, else closed.
func (c *Client) put(cn *conn, reuse bool) {
	cn.logger = nil
	if reuse && c.keepConn {
		cn.trim()
		c.mu.Lock()
		if !c.closed && len(c.idle) < c.maxIdle {
			c.idle = append(c.idle, cn)
			c.mu.Unlock()
			<-c.sem
			return
		}
		c.mu.Unlock()
	}
	_ = cn.nc.Close()
	<-c.sem
}

// trim drops buffers a large request or answer grew, so that an idle
// connection keeps only its usual size.
func (cn *conn) trim() {
	if cap(cn.hdr) > 16<<10 {
		cn.hdr = make([]byte, 0, 4096)
	}
	if cap(cn.acc) > 2*bufferedBody {
		cn.acc = nil
	}
	if cap(cn.params) > 64<<10 {
		cn.params = nil
	}
	if cap(cn.value) > 16<<10 {
		cn.value = nil
	}
}

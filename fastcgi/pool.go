package fastcgi

import (
	"bufio"
	"log/slog"
	"net"
	"time"
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

	reused   bool // taken from the idle list
	bodySent bool // request body bytes were read from the client
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
	cn.rr.before = cn.deadline
	cn.rr.stderr = cn.stderr.write
	cn.body.cn = cn
	return cn
}

func (cn *conn) setReadDeadline() {
	_ = cn.nc.SetReadDeadline(time.Now().Add(cn.client.readTimeout))
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
			cn.reused = true
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

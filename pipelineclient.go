package volt

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// PipelineClient sends requests to one host over a few connections without
// waiting for each response (HTTP/1.1 pipelining, RFC 9112 section 9.3.2):
// each connection's writer sends queued requests back to back, flushing
// when the queue runs dry, and its reader matches the responses in order.
// Use it against servers known to pipeline well (volt, fasthttp, nginx),
// for many small requests to one host. It is safe for concurrent use.
//
// A slow response holds up the ones behind it on its connection. Set
// ReadTimeout to bound a connection whose server stopped answering; a
// caller's own timeout (DoTimeout) only releases that caller.
type PipelineClient struct {
	ConnConfig

	// Addr is "host:port" (several separated by commas).
	Addr string

	// IsTLS makes the connections HTTPS.
	IsTLS bool

	// MaxConns is the number of connections. If zero, 1.
	MaxConns int

	// MaxPendingRequests is the most requests sent and not yet answered
	// on one connection. If zero, 1024.
	MaxPendingRequests int

	once    sync.Once
	hc      *HostClient
	queue   chan *pipelineWork
	pending atomic.Int64
	workers sync.Pool
	closed  chan struct{}
}

// pipelineWork is one request in a pipeline. The response is read into its
// own Response and copied to the caller's, so that a caller that gave up
// (timeout) leaves nothing behind that writes into its memory.
type pipelineWork struct {
	req      *Request
	isHead   bool
	resp     Response
	done     chan error // capacity 1
	deadline time.Time

	// mu makes giving up and writing exclusive: once the caller gave up,
	// the writer no longer reads req.
	mu        sync.Mutex
	abandoned atomic.Bool
}

func (c *PipelineClient) init() {
	c.once.Do(func() {
		cfg := c.ConnConfig
		cfg.StreamResponseBody = false
		c.hc = &HostClient{ConnConfig: cfg, Addr: c.Addr, IsTLS: c.IsTLS}
		c.hc.init()
		c.queue = make(chan *pipelineWork, c.maxPending())
		c.closed = make(chan struct{})
		for i := 0; i < max(c.MaxConns, 1); i++ {
			go c.runConn()
		}
	})
}

func (c *PipelineClient) maxPending() int { return orInt(c.MaxPendingRequests, 1024) }

// PendingRequests returns the number of requests queued or in flight.
func (c *PipelineClient) PendingRequests() int { return int(c.pending.Load()) }

// Do sends req and reads the answer into resp.
func (c *PipelineClient) Do(req *Request, resp *Response) error {
	return c.DoDeadline(req, resp, time.Time{})
}

// DoTimeout is Do with a limit on the whole call; past it, ErrTimeout.
func (c *PipelineClient) DoTimeout(req *Request, resp *Response, timeout time.Duration) error {
	return c.DoDeadline(req, resp, time.Now().Add(timeout))
}

// DoDeadline is Do with a deadline; past it, ErrTimeout. req must not be
// changed until the call returns.
func (c *PipelineClient) DoDeadline(req *Request, resp *Response, deadline time.Time) error {
	c.init()
	c.pending.Add(1)
	defer c.pending.Add(-1)
	w, _ := c.workers.Get().(*pipelineWork)
	if w == nil {
		w = &pipelineWork{done: make(chan error, 1)}
		w.resp.Reset()
	}
	w.req, w.deadline, w.isHead = req, deadline, req.Header.IsHead()
	w.abandoned.Store(false)
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-c.closed:
		w.req = nil
		c.workers.Put(w)
		return ErrClientClosed
	default:
	}
	select {
	case c.queue <- w:
	case <-timeout:
		w.req = nil
		c.workers.Put(w)
		return ErrTimeout
	case <-c.closed:
		w.req = nil
		c.workers.Put(w)
		return ErrClientClosed
	}
	var gaveUp error
	select {
	case err := <-w.done:
		if err == nil {
			copyResponse(resp, &w.resp)
		} else {
			resp.Reset()
		}
		w.req = nil
		w.resp.Reset()
		c.workers.Put(w)
		return err
	case <-timeout:
		gaveUp = ErrTimeout
	case <-c.closed:
		gaveUp = ErrClientClosed
	}
	// The work stays in the pipeline (or the queue); its reader drops it,
	// and it is not pooled again.
	w.mu.Lock()
	w.abandoned.Store(true)
	w.mu.Unlock()
	resp.Reset()
	return gaveUp
}

// copyResponse copies the head and buffered body of src into dst.
func copyResponse(dst, src *Response) {
	src.Header.CopyTo(&dst.Header)
	dst.body = append(dst.body[:0], src.body...)
}

// Close stops the client's connections; calls queued or in flight
// return ErrClientClosed, and so do later calls.
func (c *PipelineClient) Close() {
	c.init()
	select {
	case <-c.closed:
	default:
		close(c.closed)
	}
}

// runConn keeps one pipelined connection: dial, then a writer and a reader
// until it fails, then dial again.
func (c *PipelineClient) runConn() {
	backoff := 10 * time.Millisecond
	for {
		select {
		case <-c.closed:
			return
		default:
		}
		var conn net.Conn
		var px *httpProxy
		addr, err := c.hc.nextAddr()
		if err == nil {
			conn, px, err = c.hc.dialAddr(context.Background(), addr, time.Time{}, false)
		}
		if err != nil {
			// Fail one queued request so that callers learn why.
			select {
			case w := <-c.queue:
				c.finish(w, err)
			case <-time.After(backoff):
			case <-c.closed:
				return
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 10 * time.Millisecond
		cc := newClientConn(c.hc, conn)
		cc.proxy = px
		c.serveConn(cc)
	}
}

func (c *PipelineClient) finish(w *pipelineWork, err error) {
	if w.abandoned.Load() {
		return
	}
	w.done <- err
}

// serveConn pipelines requests on cc until it breaks.
func (c *PipelineClient) serveConn(cc *clientConn) {
	inflight := make(chan *pipelineWork, c.maxPending())
	readerDone := make(chan struct{})
	// broken is closed (and the connection with it) when the reader
	// failed: the writer stops taking work for this connection at once.
	broken := make(chan struct{})
	var breakOnce sync.Once
	breakConn := func() {
		breakOnce.Do(func() {
			close(broken)
			_ = cc.c.Close()
		})
	}
	go func() {
		defer close(readerDone)
		c.readResponses(cc, inflight, breakConn)
	}()
	c.writeRequests(cc, inflight, broken)
	// The writer stopped: the connection failed, or the client closed.
	// Closing the connection ends a reader that waits for responses to
	// requests that may never have been sent whole.
	cc.close()
	close(inflight)
	<-readerDone
}

// writeRequests sends queued requests, flushing when the queue is empty.
func (c *PipelineClient) writeRequests(cc *clientConn, inflight chan<- *pipelineWork, broken <-chan struct{}) {
	for {
		var w *pipelineWork
		select {
		case w = <-c.queue:
		case <-broken:
			return
		case <-c.closed:
			return
		}
		for w != nil {
			select {
			case <-broken:
				// Taken just as the connection broke, and not sent: it
				// goes to another connection.
				c.requeue(w)
				return
			default:
			}
			if c.WriteTimeout > 0 {
				_ = cc.c.SetWriteDeadline(time.Now().Add(c.WriteTimeout))
			}
			w.mu.Lock()
			if w.abandoned.Load() {
				w.mu.Unlock()
				w = c.nextQueued()
				continue
			}
			req := w.req
			uri := req.URI()
			if err := req.uriErr; err != nil {
				w.mu.Unlock()
				c.finish(w, err)
				w = c.nextQueued()
				continue
			}
			mark := len(cc.wbuf)
			var err error
			if cc.wbuf, err = c.hc.appendRequestHead(cc.wbuf, req, uri, cc.proxy); err != nil {
				// Refused before a byte of it was buffered.
				cc.wbuf = cc.wbuf[:mark]
				w.mu.Unlock()
				c.finish(w, err)
				w = c.nextQueued()
				continue
			}
			select {
			case inflight <- w:
			case <-broken:
				cc.wbuf = cc.wbuf[:0]
				w.mu.Unlock()
				c.finish(w, ErrConnectionClosed)
				return
			}
			if req.sendsStream() || len(req.Header.trailers.fields) > 0 {
				// Framed as HostClient frames it: the buffered requests and
				// this head, then the body by its length or chunked, with
				// its trailers.
				err = cc.writeStreamedBody(req)
				cc.wbuf = cc.wbuf[:0]
			} else {
				cc.wbuf = append(cc.wbuf, req.body...)
			}
			w.mu.Unlock()
			if err != nil {
				return // serveConn closes the connection; the reader fails the rest
			}
			w = nil
			if len(cc.wbuf) < 64<<10 {
				w = c.nextQueued()
			}
			if w == nil || len(cc.wbuf) >= 64<<10 {
				if err := cc.write(cc.wbuf); err != nil {
					cc.wbuf = cc.wbuf[:0]
					if w != nil {
						c.finish(w, err)
					}
					return
				}
				cc.wbuf = cc.wbuf[:0]
			}
		}
	}
}

// requeue puts back a work that was taken but not sent, or fails it if
// the queue is full.
func (c *PipelineClient) requeue(w *pipelineWork) {
	select {
	case c.queue <- w:
	default:
		c.finish(w, ErrConnectionClosed)
	}
}

// nextQueued returns a queued request without waiting, or nil.
func (c *PipelineClient) nextQueued() *pipelineWork {
	select {
	case w := <-c.queue:
		return w
	default:
		return nil
	}
}

// readResponses reads one response per request sent, in order. On an
// error it fails every request still in flight.
func (c *PipelineClient) readResponses(cc *clientConn, inflight <-chan *pipelineWork, breakConn func()) {
	var failed error
	for w := range inflight {
		if failed != nil {
			if c.isClosed() {
				failed = ErrClientClosed
			}
			c.finish(w, failed)
			continue
		}
		// Callers enforce their own deadlines; the connection is bounded by
		// ReadTimeout only, since the responses of callers that gave up
		// must still be read to keep the pipeline in step.
		_ = cc.c.SetReadDeadline(earliest(time.Time{}, time.Now(), c.ReadTimeout))
		cc.gotResponse, cc.mustClose = false, false
		// The work is pooled: nothing of its previous response may stay
		// (a HEAD, 204 or 304 response reads no body).
		w.resp.Reset()
		err := cc.readHead(&w.resp)
		for interim := 0; err == nil && w.resp.Header.statusCode < 200; interim++ {
			if interim >= maxInterimResponses || w.resp.Header.statusCode == StatusSwitchingProtocols {
				err = ErrTooManyInterimResponses
				break
			}
			err = cc.readHead(&w.resp)
		}
		if err == nil {
			err = cc.readBody(&w.resp, w.isHead)
		}
		if err == nil && (cc.mustClose || w.resp.Header.connClose) {
			failed = ErrConnectionClosed
			breakConn() // stops the writer
			c.finish(w, nil)
			continue
		}
		if err != nil && c.isClosed() {
			err = ErrClientClosed
		}
		if err != nil {
			// The connection is broken before the caller learns it, so
			// that its next call goes to another connection.
			failed = err
			breakConn()
		}
		c.finish(w, err)
	}
}

// isClosed reports whether Close was called.
func (c *PipelineClient) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

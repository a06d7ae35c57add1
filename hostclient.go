package volt

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HostClient sends requests to one host over a pool of keep-alive
// connections. It is safe for concurrent use; create one per upstream and
// keep it (or use Client, which does that per scheme and host).
//
// Addr may list several addresses separated by commas; new connections use
// them in turn. Requests should carry a full URL or a path; the Host header
// defaults to the URL's host, or to the first address.
//
//	hc := &volt.HostClient{Addr: "api.internal:8080"}
//	req, resp := volt.AcquireRequest(), volt.AcquireResponse()
//	req.SetRequestURI("http://api.internal:8080/v1/items")
//	err := hc.Do(req, resp)
type HostClient struct {
	ConnConfig

	// Addr is "host:port" (several separated by commas), or
	// "unix:/path/to.sock" for a Unix socket when Dial is nil (requests
	// without a host in their URL then get "Host: localhost").
	Addr string

	// IsTLS makes the connections HTTPS.
	IsTLS bool

	initOnce sync.Once
	addrs    []string
	addrIdx  atomic.Uint32
	name     []byte
	opts     parseOptions
	tlsCfg   *tls.Config

	// mu guards the pool below.
	mu       sync.Mutex
	idle     []*clientConn // most recently used last
	open     int           // connections open or being dialled
	waiters  []*connWaiter
	cleaning bool

	// The multiplexed (HTTP/2) pool: see hostclient_mux.go.
	muxProto   *ClientProtocol // nil: HTTP/1.1 only
	muxState   int             // muxOff, muxProbe or muxOn; guarded by mu after init
	mux        []*muxEntry
	muxDialing int             // dials whose protocol is awaited by waiting callers
	muxTest    *ClientProtocol // tests: used instead of the registered protocol

	pending atomic.Int64 // requests in flight (for LBClient)

	dialer *Dialer // dials when Dial is nil; nil: defaultDialer (tests set it)

	// oneHost is set by Client, which takes Addr from a URL: Addr is then
	// one TCP host, never a list nor a Unix socket.
	oneHost bool
}

func (c *HostClient) init() {
	c.initOnce.Do(func() {
		switch {
		case c.oneHost:
			if c.Addr != "" && !strings.HasPrefix(c.Addr, "unix:") && !strings.Contains(c.Addr, ",") {
				c.addrs = []string{addMissingPort(c.Addr, c.IsTLS)}
			}
		default:
			for _, a := range strings.Split(c.Addr, ",") {
				if a = strings.TrimSpace(a); a != "" {
					c.addrs = append(c.addrs, addMissingPort(a, c.IsTLS))
				}
			}
		}
		switch c.Name {
		case "":
			c.name = strDefaultName
		case "-":
		default:
			c.name = []byte(c.Name)
		}
		c.opts = parseOptions{
			maxHeaderBytes: orInt(c.MaxHeaderBytes, DefaultMaxHeaderBytes),
			maxHeaderCount: DefaultMaxHeaderCount,
			maxURILength:   DefaultMaxURILength,
			keepNames:      c.DisableHeaderNamesNormalizing,
		}
		if c.IsTLS {
			if c.TLSConfig != nil {
				c.tlsCfg = c.TLSConfig.Clone()
			} else {
				c.tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
			}
		}
		c.initMux()
		if c.IsTLS {
			if len(c.tlsCfg.NextProtos) == 0 {
				c.tlsCfg.NextProtos = []string{ProtocolHTTP11}
				if c.muxProto != nil {
					c.tlsCfg.NextProtos = []string{c.muxProto.ALPN, ProtocolHTTP11}
				}
			}
			if c.tlsCfg.ClientSessionCache == nil {
				c.tlsCfg.ClientSessionCache = tls.NewLRUClientSessionCache(64)
			}
		}
	})
}

// addMissingPort appends the scheme's default port to a host without one.
// A Unix socket address ("unix:/path") is left as it is.
func addMissingPort(addr string, isTLS bool) string {
	if _, _, err := net.SplitHostPort(addr); err == nil || strings.HasPrefix(addr, "unix:") {
		return addr
	}
	if strings.Count(addr, ":") > 1 && !strings.HasPrefix(addr, "[") {
		addr = "[" + addr + "]" // a bare IPv6 address
	}
	if isTLS {
		return addr + ":443"
	}
	return addr + ":80"
}

// PendingRequests returns the number of requests in flight.
func (c *HostClient) PendingRequests() int { return int(c.pending.Load()) }

// Do sends req and reads the answer into resp. It follows no redirects.
// An idempotent request that fails on a reused connection before any
// response byte arrived is retried on another connection (see
// MaxIdempotentCallAttempts). req and resp belong to the caller.
func (c *HostClient) Do(req *Request, resp *Response) error {
	return c.do(req, resp, time.Time{}, nil)
}

// DoTimeout is Do with a limit on the whole call; past it, ErrTimeout.
func (c *HostClient) DoTimeout(req *Request, resp *Response, timeout time.Duration) error {
	return c.do(req, resp, time.Now().Add(timeout), nil)
}

// DoDeadline is Do with a deadline for the whole call; past it,
// ErrTimeout.
func (c *HostClient) DoDeadline(req *Request, resp *Response, deadline time.Time) error {
	return c.do(req, resp, deadline, nil)
}

// DoCtx is Do under a context: when ctx ends, the request in flight is
// aborted (its connection closed) and DoCtx returns ctx.Err() at once. The
// context's deadline bounds the call as in DoDeadline, but a call that ends
// there returns context.DeadlineExceeded rather than ErrTimeout (both
// report Timeout).
func (c *HostClient) DoCtx(ctx context.Context, req *Request, resp *Response) error {
	dl, _ := ctx.Deadline()
	return c.do(req, resp, dl, ctx)
}

func (c *HostClient) do(req *Request, resp *Response, deadline time.Time, ctx context.Context) error {
	c.init()
	if req.URI(); req.uriErr != nil {
		return req.uriErr
	}
	c.pending.Add(1)
	defer c.pending.Add(-1)
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if c.HTTP2PriorKnowledge && !c.IsTLS && c.muxProto == nil {
		return ErrHTTP2Unavailable
	}
	attempts := c.attempts()
	for i := 1; ; i++ {
		retry, err := c.doOnce(req, resp, deadline, ctx)
		if err == nil {
			return nil
		}
		if ctx != nil {
			if cerr := ctxErr(ctx); cerr != nil {
				return cerr
			}
		}
		if !retry || i >= attempts {
			return err
		}
		unprocessed := errors.Is(err, ErrRequestUnprocessed)
		if !unprocessed && !c.mayRetry(req) {
			return err
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return ErrTimeout
		}
		if unprocessed {
			// A server that refused the stream is busy: give it a moment
			// (1, 2, 4 ms...) before asking again.
			time.Sleep(min(time.Millisecond<<(i-1), 64*time.Millisecond))
		}
	}
}

func (c *HostClient) mayRetry(req *Request) bool {
	if c.RetryIf != nil {
		return c.RetryIf(req)
	}
	return isIdempotent(req.Header.Method()) && req.stream == nil
}

// isIdempotent reports whether a method is idempotent (RFC 9110 section
// 9.2.2).
func isIdempotent(m []byte) bool {
	switch string(m) {
	case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// doOnce makes one attempt. retry reports whether the failure happened on
// a reused connection before any response byte, where a retry is safe.
func (c *HostClient) doOnce(req *Request, resp *Response, deadline time.Time, ctx context.Context) (retry bool, err error) {
	cc, e, err := c.acquireConn(deadline, ctx)
	if err != nil {
		return false, err
	}
	if e != nil {
		return c.doMux(e, req, resp, deadline, ctx)
	}
	if c.Trace != nil {
		c.Trace.gotConn(cc)
	}
	var stop func() bool
	if ctx != nil && ctx.Done() != nil {
		stop = context.AfterFunc(ctx, cc.abort)
	}
	err = cc.roundTrip(c, req, resp, deadline)
	if bs, ok := resp.bodyStream.(*clientBodyStream); ok && err == nil && cc.streaming && stop != nil {
		// A streamed body stays under the context until it is finished.
		bs.stopCtx = stop
		stop = nil
	}
	if stop != nil && !stop() {
		// The context ended during the call: the connection was aborted.
		err = ctx.Err()
	}
	if err != nil && cc.refused && (ctx == nil || ctx.Err() == nil) {
		c.releaseConn(cc)
		return false, err
	}
	if err != nil {
		retry = cc.reused && !cc.gotResponse && !isTimeout(err) && (ctx == nil || ctx.Err() == nil)
		c.closeConn(cc)
		return retry, err
	}
	if cc.streaming {
		return false, nil // the body stream releases the connection
	}
	c.finishConn(cc)
	return false, nil
}

// finishConn puts a connection back in the pool, or closes it if it may
// not serve another request.
func (c *HostClient) finishConn(cc *clientConn) {
	// Bytes after the response (a server that sent more than it framed)
	// would be read as the next response: such a connection is closed.
	if cc.mustClose || len(cc.br.buffered()) > 0 || c.MaxConnDuration > 0 && time.Since(cc.created) > c.MaxConnDuration {
		c.closeConn(cc)
		return
	}
	c.releaseConn(cc)
}

func isTimeout(err error) bool {
	if err == nil || err == io.EOF {
		return false // the common cases, without errors.As's allocation
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// ctxErr is ctx.Err(), or context.DeadlineExceeded once ctx's deadline has
// passed but its timer has not fired yet: a connection deadline set to the
// same instant may fire first.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

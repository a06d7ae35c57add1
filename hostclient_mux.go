package volt

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"
	"time"
)

// A HostClient keeps its multiplexed connections (HTTP/2, see MuxConn)
// beside the HTTP/1.1 ones: they count in open and MaxConns like the
// others, but are never handed to one caller. Each carries up to its
// server's MaxStreams requests at once; the HostClient counts the streams
// it opened on each (muxEntry.active) and takes the first connection with
// one free. When all are full it dials another, within MaxConns, and the
// callers that arrive meanwhile wait for it rather than dial too.
//
// Whether a host speaks HTTP/2 is known only after a TLS handshake. Until
// then (muxProbe), one caller dials and the others wait for its answer,
// so that a burst of first requests to an HTTP/2 server opens one
// connection, not one each. Once a handshake chose HTTP/1.1 the pool is
// the HTTP/1.1 one, with no wait.

// muxEntry is one multiplexed connection of the pool.
type muxEntry struct {
	hc       *HostClient
	conn     MuxConn
	nc       net.Conn // for ClientTrace.GotConn
	created  time.Time
	lastUse  atomic.Int64 // when its last stream ended (UnixNano)
	active   int          // streams opened and not over; guarded by hc.mu
	served   atomic.Bool  // carried a request before (for GotConn's Reused)
	gone     bool         // left the pool; guarded by hc.mu
	bodyDone func()       // e.streamDone, bound once
}

// Multiplexing states of a HostClient (muxState).
const (
	muxOff   = iota // HTTP/1.1: no multiplexed protocol, or the server chose HTTP/1.1
	muxProbe        // https with a multiplexed protocol: the server's choice is not known yet
	muxOn           // prior knowledge, or the last handshake chose the multiplexed protocol
)

// muxWake is handed to a waiting caller to make it look for a connection
// again: a stream ended, or a multiplexed connection opened or failed.
var muxWake = new(clientConn)

// initMux picks the multiplexed protocol at init (c.mu not needed: init
// runs once before any request).
func (c *HostClient) initMux() {
	p := clientProtocol.Load()
	if c.muxTest != nil {
		p = c.muxTest
	}
	switch {
	case p == nil:
	case c.IsTLS && !c.DisableHTTP2:
		c.muxProto = p
		c.muxState = muxProbe
	case !c.IsTLS && c.HTTP2PriorKnowledge:
		c.muxProto = p
		c.muxState = muxOn
	}
}

// pickMuxLocked returns a multiplexed connection with a stream free, its
// stream counted, or nil. It drops the connections that can open no more
// streams once their last stream ended. c.mu must be held.
func (c *HostClient) pickMuxLocked(now time.Time) *muxEntry {
	for i := 0; i < len(c.mux); i++ {
		e := c.mux[i]
		ms := e.conn.MaxStreams()
		if ms > 0 && c.MaxConnDuration > 0 && now.Sub(e.created) > c.MaxConnDuration {
			ms = 0 // served long enough: drained, then closed
		}
		if ms == 0 {
			if e.active == 0 {
				c.dropMuxLocked(i)
				i--
			}
			continue
		}
		if e.active < ms {
			e.active++
			return e
		}
	}
	return nil
}

// dropMuxLocked takes entry i out of the pool and closes it (in the
// background: Close waits for the connection's reader). c.mu must be held.
func (c *HostClient) dropMuxLocked(i int) {
	e := c.mux[i]
	copy(c.mux[i:], c.mux[i+1:])
	c.mux[len(c.mux)-1] = nil
	c.mux = c.mux[:len(c.mux)-1]
	e.gone = true
	c.open--
	go e.conn.Close()
	if len(c.mux) == 0 && c.muxState == muxOn && c.muxProto != nil && !c.HTTP2PriorKnowledge {
		c.muxState = muxProbe // ask the server again on the next dial
	}
}

// streamDone counts the end of a stream of e and wakes a waiting caller.
func (e *muxEntry) streamDone() {
	c := e.hc
	now := time.Now()
	c.mu.Lock()
	e.active--
	e.lastUse.Store(now.UnixNano())
	if !e.gone && e.active == 0 {
		if e.conn.MaxStreams() == 0 {
			for i, x := range c.mux {
				if x == e {
					c.dropMuxLocked(i)
					break
				}
			}
		} else if !c.cleaning {
			c.cleaning = true
			go c.clean()
		}
	}
	w := c.popWaiter()
	c.mu.Unlock()
	if w != nil {
		w.ch <- muxWake
	}
}

// addMux puts a new multiplexed connection in the pool with one stream
// counted for the caller that dialed it, and wakes the callers waiting for
// it.
func (c *HostClient) addMux(conn MuxConn, nc net.Conn, muxDial bool) *muxEntry {
	now := time.Now()
	e := &muxEntry{hc: c, conn: conn, nc: nc, created: now, active: 1}
	e.lastUse.Store(now.UnixNano())
	e.bodyDone = e.streamDone
	c.mu.Lock()
	c.mux = append(c.mux, e)
	if muxDial {
		c.muxDialing--
	}
	c.muxState = muxOn
	c.wakeAllLocked()
	c.mu.Unlock()
	return e
}

// muxDialEnded records that a dial counted in muxDialing did not give a
// multiplexed connection (it failed, or the server chose HTTP/1.1), and
// wakes the callers that waited for it.
func (c *HostClient) muxDialEnded(chose11 bool) {
	c.mu.Lock()
	c.muxDialing--
	if chose11 && len(c.mux) == 0 && !c.HTTP2PriorKnowledge {
		c.muxState = muxOff
	}
	c.wakeAllLocked()
	c.mu.Unlock()
}

// wakeAllLocked hands muxWake to every waiting caller. c.mu must be held.
func (c *HostClient) wakeAllLocked() {
	for _, w := range c.waiters {
		w.ch <- muxWake // capacity 1, and a waiter is handed one thing
	}
	clear(c.waiters)
	c.waiters = c.waiters[:0]
}

// startMux turns a dialed connection into a multiplexed one when the
// protocol applies: with prior knowledge on cleartext, or when the TLS
// handshake chose it. It returns nil, nil for an HTTP/1.1 connection. On
// error, conn is closed and the slot freed.
func (c *HostClient) startMux(conn net.Conn, px *httpProxy, muxDial bool) (*muxEntry, error) {
	p := c.muxProto
	if p == nil {
		return nil, nil
	}
	mux := false
	switch tc := conn.(type) {
	case *tls.Conn:
		mux = tc.ConnectionState().NegotiatedProtocol == p.ALPN
	default:
		mux = !c.IsTLS && px == nil && c.HTTP2PriorKnowledge
	}
	if !mux {
		if muxDial {
			c.muxDialEnded(true)
		}
		return nil, nil
	}
	mc, err := p.NewConn(conn, c)
	if err != nil {
		if muxDial {
			c.muxDialEnded(false)
		}
		c.freeSlot()
		return nil, err
	}
	return c.addMux(mc, conn, muxDial), nil
}

// doMux sends req on a stream of e. retry reports a request the server did
// not process, which may go again on another connection whatever its
// method.
func (c *HostClient) doMux(e *muxEntry, req *Request, resp *Response, deadline time.Time, ctx context.Context) (retry bool, err error) {
	if t := c.Trace; t != nil && t.GotConn != nil {
		info := GotConnInfo{Conn: e.nc, Reused: e.served.Load()}
		if info.Reused {
			info.IdleTime = time.Duration(time.Now().UnixNano() - e.lastUse.Load())
		}
		t.GotConn(info)
	}
	if !e.served.Load() {
		e.served.Store(true)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	o := MuxRoundTrip{
		Deadline:   earliest(deadline, time.Now(), c.ReadTimeout+c.WriteTimeout),
		StreamBody: c.StreamResponseBody,
	}
	if o.StreamBody {
		o.BodyDone = e.bodyDone
	}
	err = e.conn.RoundTrip(ctx, req, resp, o)
	if !o.StreamBody {
		e.streamDone()
	}
	if err != nil && errors.Is(err, ErrRequestUnprocessed) {
		// Never sent, or not processed: it may go again, unless its body
		// stream was consumed.
		retry = req.stream == nil || req.sendsStream()
	}
	return retry, err
}

// DialStream opens a two-way stream to the host on a pooled multiplexed
// (HTTP/2) connection: req is a CONNECT request, plain (to an authority)
// or extended (RFC 8441, with req.Header.SetConnectProtocol, such as
// "websocket"); resp receives the response head. On a 2xx answer the
// returned net.Conn carries the stream both ways; the caller must Close
// it, which frees the stream for other requests. On another answer it
// returns a nil net.Conn and a nil error, with the answer in resp.
//
// When the host is reached over HTTP/1.1 (DisableHTTP2, no HTTP/2 linked,
// or a server that chose HTTP/1.1), or its server did not enable extended
// CONNECT, it returns ErrExtendedConnectRefused having sent nothing: the
// caller then uses DialTunnel and the HTTP/1.1 way (an Upgrade, for
// WebSocket). ctx bounds the opening only.
func (c *HostClient) DialStream(ctx context.Context, req *Request, resp *Response) (net.Conn, error) {
	c.init()
	if c.muxState == muxOff && c.muxProto == nil {
		return nil, ErrExtendedConnectRefused
	}
	deadline, _ := ctx.Deadline()
	cc, e, err := c.acquireConn(deadline, ctx)
	if err != nil {
		return nil, err
	}
	if e == nil {
		c.releaseConn(cc) // an HTTP/1.1 connection: it serves later requests
		return nil, ErrExtendedConnectRefused
	}
	e.served.Store(true)
	conn, err := e.conn.Tunnel(ctx, req, resp)
	if conn == nil {
		e.streamDone()
		return nil, err
	}
	return &muxStream{Conn: conn, e: e}, nil
}

// muxStream is a stream of DialStream; its Close frees the stream's place
// in the pool.
type muxStream struct {
	net.Conn
	e      *muxEntry
	closed atomic.Bool
}

func (s *muxStream) Close() error {
	err := s.Conn.Close()
	if s.closed.CompareAndSwap(false, true) {
		s.e.streamDone()
	}
	return err
}

// cleanMuxLocked closes the multiplexed connections idle (no stream)
// longer than maxIdle, and reports whether idle ones remain. c.mu must be
// held.
func (c *HostClient) cleanMuxLocked(now time.Time, maxIdle time.Duration) (idleLeft bool) {
	for i := 0; i < len(c.mux); i++ {
		e := c.mux[i]
		if e.active > 0 {
			continue
		}
		if now.UnixNano()-e.lastUse.Load() > int64(maxIdle) || e.conn.MaxStreams() == 0 {
			c.dropMuxLocked(i)
			i--
			continue
		}
		idleLeft = true
	}
	return idleLeft
}

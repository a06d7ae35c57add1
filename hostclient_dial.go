package volt

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// errNoAddr is the dial error of a HostClient without an address.
var errNoAddr = errors.New("volt: HostClient.Addr is empty")

// nextAddr returns the address of the next connection: Addr's in turn.
func (c *HostClient) nextAddr() (string, error) {
	if len(c.addrs) == 0 {
		return "", &DialError{Addr: c.Addr, Err: errNoAddr}
	}
	return c.addrs[int(c.addrIdx.Add(1)-1)%len(c.addrs)], nil
}

// DialTunnel opens a new connection to the host for a protocol that takes
// the connection over after its HTTP/1.1 handshake, such as WebSocket. The
// connection is not from the pool and never goes back to it: it is the
// caller's to close.
//
// It dials as requests do: with Dial or the shared Dialer (DialTimeout),
// through the proxy that Proxy chooses (asked with the scheme "https" when
// IsTLS, else "http"), then with the TLS handshake when IsTLS (ALPN from
// TLSConfig, http/1.1 by default). The one difference is that an HTTP
// proxy is always asked for a CONNECT tunnel, also for plain http, since a
// proxy that forwards requests could not carry the upgraded connection.
// ctx bounds the whole dial; errors are the typed ones of Do (DialError,
// ProxyError, TLSError).
func (c *HostClient) DialTunnel(ctx context.Context) (net.Conn, error) {
	c.init()
	addr, err := c.nextAddr()
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	conn, _, err := c.dialAddr(ctx, addr, deadline, true)
	return conn, err
}

// dialAddr opens a connection to addr: directly or through the proxy that
// Proxy chooses, then with the TLS handshake for https. px is not nil when
// the connection leads to a plain HTTP proxy, which takes absolute-form
// requests; with tunnel, an HTTP proxy is asked for a CONNECT tunnel
// whatever the scheme, and px is always nil.
func (c *HostClient) dialAddr(ctx context.Context, addr string, deadline time.Time, tunnel bool) (conn net.Conn, px *httpProxy, err error) {
	if c.Proxy != nil {
		scheme := "http"
		if c.IsTLS {
			scheme = "https"
		}
		var pu *url.URL
		if pu, err = c.Proxy(scheme, addr); err != nil {
			return nil, nil, &ProxyError{Err: err}
		}
		if pu != nil {
			if conn, px, err = c.dialProxy(ctx, pu, addr, deadline, tunnel); err != nil {
				return nil, nil, err
			}
			if px != nil {
				return conn, px, nil // plain http: no tunnel, no TLS
			}
			conn, err = c.handshakeTLS(ctx, conn, addr, deadline, tunnel)
			return conn, nil, err
		}
	}
	if conn, err = c.rawDial(ctx, addr, deadline); err != nil {
		return nil, nil, err
	}
	conn, err = c.handshakeTLS(ctx, conn, addr, deadline, tunnel)
	return conn, nil, err
}

// rawDial opens a TCP (or Unix) connection to addr with DialContext, Dial,
// or the shared Dialer if both are nil (DialContext and the Dialer stop
// when ctx ends; a Dial of the user's cannot be stopped).
func (c *HostClient) rawDial(ctx context.Context, addr string, deadline time.Time) (net.Conn, error) {
	timeout := c.dialTimeout()
	if !deadline.IsZero() {
		timeout = min(timeout, time.Until(deadline))
		if timeout <= 0 {
			return nil, ErrTimeout
		}
	}
	var conn net.Conn
	var err error
	trace := c.Trace
	if c.DialContext == nil && c.Dial == nil {
		d := c.dialer
		if d == nil {
			d = &defaultDialer
		}
		conn, err = d.dial(ctx, addr, timeout, trace) // traces itself
	} else {
		if trace != nil && trace.ConnectStart != nil {
			trace.ConnectStart("tcp", addr)
		}
		if c.DialContext != nil {
			dctx, cancel := context.WithTimeout(ctx, timeout)
			conn, err = c.DialContext(dctx, addr)
			if err != nil && dctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
				err = ErrTimeout
			}
			cancel()
		} else {
			conn, err = c.Dial(addr)
		}
		if trace != nil && trace.ConnectDone != nil {
			trace.ConnectDone("tcp", addr, err)
		}
	}
	if err != nil {
		return nil, &DialError{Addr: addr, Err: err}
	}
	return conn, nil
}

// handshakeDeadline bounds a handshake after the dial (TLS, proxy): now
// plus DialTimeout, or the call's deadline if that is earlier.
func (c *HostClient) handshakeDeadline(deadline time.Time) time.Time {
	return earliest(deadline, time.Now(), c.dialTimeout())
}

// handshakeTLS makes the TLS handshake with the origin server for https;
// for http it returns conn as it is. conn is closed on failure. With h1
// it offers http/1.1 only by ALPN (DialTunnel: the caller speaks
// HTTP/1.1 on the connection).
func (c *HostClient) handshakeTLS(ctx context.Context, conn net.Conn, addr string, deadline time.Time, h1 bool) (net.Conn, error) {
	if !c.IsTLS {
		return conn, nil
	}
	cfg := c.tlsCfg
	if h1 && c.muxProto != nil && slices.Contains(cfg.NextProtos, c.muxProto.ALPN) {
		cfg = cfg.Clone()
		cfg.NextProtos = []string{ProtocolHTTP11}
	}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(addr)
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	trace := c.Trace
	if trace != nil && trace.TLSHandshakeStart != nil {
		trace.TLSHandshakeStart()
	}
	tc := tls.Client(conn, cfg)
	_ = tc.SetDeadline(c.handshakeDeadline(deadline))
	err := tc.HandshakeContext(ctx)
	if trace != nil && trace.TLSHandshakeDone != nil {
		trace.TLSHandshakeDone(tc.ConnectionState(), err)
	}
	if err != nil {
		_ = conn.Close()
		return nil, &TLSError{Addr: addr, Err: err}
	}
	_ = tc.SetDeadline(time.Time{})
	return tc, nil
}

// defaultHost is the Host of requests whose URL has no host: the first
// address, or "localhost" for a Unix socket, as curl sends.
func (c *HostClient) defaultHost() string {
	a := c.addrs[0]
	if strings.HasPrefix(a, "unix:") {
		return "localhost"
	}
	return a
}

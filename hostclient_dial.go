package volt

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"strings"
	"time"
)

// dialAddr opens a connection to addr: directly or through the proxy that
// Proxy chooses, then with the TLS handshake for https. px is not nil when
// the connection leads to a plain HTTP proxy, which takes absolute-form
// requests.
func (c *HostClient) dialAddr(ctx context.Context, addr string, deadline time.Time) (conn net.Conn, px *httpProxy, err error) {
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
			if conn, px, err = c.dialProxy(ctx, pu, addr, deadline); err != nil {
				return nil, nil, err
			}
			if px != nil {
				return conn, px, nil // plain http: no tunnel, no TLS
			}
			conn, err = c.handshakeTLS(ctx, conn, addr, deadline)
			return conn, nil, err
		}
	}
	if conn, err = c.rawDial(ctx, addr, deadline); err != nil {
		return nil, nil, err
	}
	conn, err = c.handshakeTLS(ctx, conn, addr, deadline)
	return conn, nil, err
}

// rawDial opens a TCP (or Unix) connection to addr with Dial, or with the
// shared Dialer if Dial is nil (which stops when ctx ends; a Dial of the
// user's cannot be stopped).
func (c *HostClient) rawDial(ctx context.Context, addr string, deadline time.Time) (net.Conn, error) {
	var conn net.Conn
	var err error
	trace := c.Trace
	if c.Dial != nil {
		if trace != nil && trace.ConnectStart != nil {
			trace.ConnectStart("tcp", addr)
		}
		conn, err = c.Dial(addr)
		if trace != nil && trace.ConnectDone != nil {
			trace.ConnectDone("tcp", addr, err)
		}
	} else {
		timeout := c.dialTimeout()
		if !deadline.IsZero() {
			timeout = min(timeout, time.Until(deadline))
			if timeout <= 0 {
				return nil, ErrTimeout
			}
		}
		d := c.dialer
		if d == nil {
			d = &defaultDialer
		}
		conn, err = d.dial(ctx, addr, timeout, trace)
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
// for http it returns conn as it is. conn is closed on failure.
func (c *HostClient) handshakeTLS(ctx context.Context, conn net.Conn, addr string, deadline time.Time) (net.Conn, error) {
	if !c.IsTLS {
		return conn, nil
	}
	cfg := c.tlsCfg
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

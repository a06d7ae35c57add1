package volt

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/volthttp/volt/internal/ascii"
	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/proxy"
)

// ProxyFromEnvironment chooses a proxy from the environment variables
// HTTP_PROXY, HTTPS_PROXY and NO_PROXY (or their lower-case forms), as
// net/http does: HTTPS_PROXY for https, HTTP_PROXY for http, none for a
// host that NO_PROXY lists and none for localhost and loopback addresses.
// A value without a scheme is taken as http://. Use it as
// ConnConfig.Proxy:
//
//	c := &volt.Client{ConnConfig: volt.ConnConfig{Proxy: volt.ProxyFromEnvironment}}
//
// It reads the environment at each call, that is, for each new connection.
//
// See https://pkg.go.dev/golang.org/x/net/http/httpproxy#FromEnvironment.
func ProxyFromEnvironment(scheme, host string) (*url.URL, error) {
	return httpproxy.FromEnvironment().ProxyFunc()(&url.URL{Scheme: scheme, Host: host})
}

// ProxyURL returns a function for ConnConfig.Proxy that sends every
// connection through the proxy at u.
func ProxyURL(u *url.URL) func(scheme, host string) (*url.URL, error) {
	return func(string, string) (*url.URL, error) { return u, nil }
}

// httpProxy is a plain HTTP proxy that a connection leads to: requests on
// it carry absolute-form targets and the proxy's credentials (RFC 9112
// section 3.2.2).
type httpProxy struct {
	auth []byte // the Proxy-Authorization value, or nil
}

// proxyAuthorization returns the Basic credentials of u's userinfo, or
// nil (RFC 9110 section 11.7.2, RFC 7617).
func proxyAuthorization(u *url.URL) []byte {
	if u.User == nil {
		return nil
	}
	pass, _ := u.User.Password()
	cred := u.User.Username() + ":" + pass
	b := make([]byte, 0, len("Basic ")+base64.StdEncoding.EncodedLen(len(cred)))
	b = append(b, "Basic "...)
	return base64.StdEncoding.AppendEncode(b, []byte(cred))
}

// proxyAddr returns the "host:port" of the proxy at u, with the scheme's
// default port if u has none.
func proxyAddr(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	switch u.Scheme {
	case "https":
		port = "443"
	case "socks5", "socks5h":
		port = "1080"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// dialProxy opens a connection to addr through the proxy at u. Through an
// HTTP proxy, an https origin gets a CONNECT tunnel and an http one a
// connection to the proxy itself, with px describing it (unless tunnel
// asks for a CONNECT tunnel in every case). Through SOCKS5,
// the proxy resolves the origin's name (socks5 and socks5h are the same
// here).
func (c *HostClient) dialProxy(ctx context.Context, u *url.URL, addr string, deadline time.Time, tunnel bool) (conn net.Conn, px *httpProxy, err error) {
	paddr := proxyAddr(u)
	switch u.Scheme {
	case "http", "https":
	case "socks5", "socks5h":
		conn, err = c.dialSOCKS5(ctx, u, paddr, addr, deadline)
		return conn, nil, err
	default:
		return nil, nil, &ProxyError{Proxy: paddr, Err: errors.New("unsupported proxy scheme " + u.Scheme)}
	}
	if conn, err = c.rawDial(ctx, paddr, deadline); err != nil {
		return nil, nil, err
	}
	if u.Scheme == "https" {
		if conn, err = c.proxyTLS(ctx, conn, u.Hostname(), paddr, deadline); err != nil {
			return nil, nil, err
		}
	}
	auth := proxyAuthorization(u)
	if !c.IsTLS && !tunnel {
		return conn, &httpProxy{auth: auth}, nil
	}
	if conn, err = c.connectTunnel(ctx, conn, paddr, addr, auth, deadline); err != nil {
		return nil, nil, err
	}
	return conn, nil, nil
}

// proxyTLS makes the TLS handshake with an https proxy, trusting what
// TLSConfig trusts. conn is closed on failure.
func (c *HostClient) proxyTLS(ctx context.Context, conn net.Conn, host, paddr string, deadline time.Time) (net.Conn, error) {
	var cfg *tls.Config
	if c.TLSConfig != nil {
		cfg = c.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	cfg.ServerName = host
	cfg.NextProtos = nil
	tc := tls.Client(conn, cfg)
	_ = tc.SetDeadline(c.handshakeDeadline(deadline))
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, &TLSError{Addr: paddr, Err: err}
	}
	_ = tc.SetDeadline(time.Time{})
	return tc, nil
}

// connectTunnel asks the HTTP proxy on conn for a tunnel to addr (RFC 9110
// section 9.3.6). conn is closed on failure.
func (c *HostClient) connectTunnel(ctx context.Context, conn net.Conn, paddr, addr string, auth []byte, deadline time.Time) (net.Conn, error) {
	// When ctx ends, a past deadline breaks the exchange.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(aLongTimeAgo) })
	defer stop()
	fail := func(code int, err error) (net.Conn, error) {
		_ = conn.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, &ProxyError{Proxy: paddr, StatusCode: code, Err: err}
	}
	// The same checks as a request head's: nothing is sent that could
	// split the CONNECT request.
	if !validRequestHost([]byte(addr)) || auth != nil && !ascii.ValidFieldValue(auth) || !ascii.ValidFieldValue(c.name) {
		return fail(0, ErrInvalidHeaderField)
	}
	_ = conn.SetDeadline(c.handshakeDeadline(deadline))
	buf := make([]byte, 0, 1024)
	buf = append(buf, "CONNECT "...)
	buf = append(buf, addr...)
	buf = append(buf, " HTTP/1.1\r\n"...)
	buf = appendHeaderFieldString(buf, HeaderHost, []byte(addr))
	if auth != nil {
		buf = appendHeaderFieldString(buf, "Proxy-Authorization", auth)
	}
	if len(c.name) > 0 {
		buf = appendHeaderFieldString(buf, HeaderUserAgent, c.name)
	}
	buf = append(buf, '\r', '\n')
	if _, err := conn.Write(buf); err != nil {
		return fail(0, wrapTimeout(err))
	}
	// Read the answer's head. Anything after it is the tunnel's.
	var h ResponseHeader
	var fr responseFraming
	var scratch fieldList
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= c.opts.maxHeaderBytes {
				return fail(0, ErrHeaderTooLarge)
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, rerr := conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if n > 0 {
			m, err := parseResponseHead(&h, &fr, buf, &c.opts, &scratch)
			if err == nil {
				if code := h.StatusCode(); code < 200 || code > 299 {
					return fail(code, nil)
				}
				_ = conn.SetDeadline(time.Time{})
				if m < len(buf) {
					return &prefixConn{Conn: conn, pending: buf[m:]}, nil
				}
				return conn, nil
			}
			if err != errNeedMore {
				return fail(0, err)
			}
		}
		if rerr == io.EOF {
			return fail(0, ErrConnectionClosed)
		}
		if rerr != nil {
			return fail(0, wrapTimeout(rerr))
		}
	}
}

// prefixConn is a connection whose first reads return bytes already read
// from it.
type prefixConn struct {
	net.Conn
	pending []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// dialSOCKS5 opens a connection to addr through the SOCKS5 proxy at paddr
// (RFC 1928), with user name and password from u (RFC 1929).
func (c *HostClient) dialSOCKS5(ctx context.Context, u *url.URL, paddr, addr string, deadline time.Time) (net.Conn, error) {
	var auth *proxy.Auth
	if u.User != nil {
		pass, _ := u.User.Password()
		auth = &proxy.Auth{User: u.User.Username(), Password: pass}
	}
	fwd := &socksForward{c: c, ctx: ctx, deadline: deadline}
	d, err := proxy.SOCKS5("tcp", paddr, auth, fwd)
	if err != nil {
		return nil, &ProxyError{Proxy: paddr, Err: err}
	}
	// The dial to the proxy has its own timeout (in rawDial); the
	// handshake gets DialTimeout after it, as for TLS.
	ctx, cancel := context.WithDeadline(ctx, earliest(deadline, time.Now(), 2*c.dialTimeout()))
	defer cancel()
	conn, err := d.(proxy.ContextDialer).DialContext(ctx, "tcp", addr)
	if err != nil {
		if fwd.err != nil {
			return nil, fwd.err // the proxy could not be reached: a DialError
		}
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err // drop socks's "socks connect tcp a->b:" prefix
		}
		return nil, &ProxyError{Proxy: paddr, Err: err}
	}
	return conn, nil
}

// socksForward dials the SOCKS5 proxy for proxy.SOCKS5 with the
// HostClient's dialer.
type socksForward struct {
	c        *HostClient
	ctx      context.Context
	deadline time.Time
	err      error // of the dial, if it failed
}

func (f *socksForward) Dial(network, addr string) (net.Conn, error) {
	conn, err := f.c.rawDial(f.ctx, addr, f.deadline)
	if err != nil {
		f.err = err
	}
	return conn, err
}

func (f *socksForward) DialContext(_ context.Context, network, addr string) (net.Conn, error) {
	return f.Dial(network, addr)
}

// appendProxyTarget appends the absolute-form target of a request to a
// plain HTTP proxy: "http://" host, then the path and query (RFC 9112
// section 3.2.2). The fragment is never sent; "OPTIONS *" becomes
// "OPTIONS http://host" (section 3.2.4).
func appendProxyTarget(dst, host []byte, uri *URI) []byte {
	dst = append(dst, "http://"...)
	dst = append(dst, host...)
	if rt := uri.RequestURI(); len(rt) != 1 || rt[0] != '*' {
		dst = append(dst, rt...)
	}
	return dst
}

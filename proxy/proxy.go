package proxy

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt"
)

// Proxy is a reverse proxy: its Handler forwards each request to an
// upstream. It is safe for concurrent use. Create it with New; Close stops
// its health checks and closes its idle upstream connections.
type Proxy struct {
	cfg     Config
	log     *slog.Logger
	trusted []netip.Prefix

	via10, via11, via2 []byte // Via entries per received version

	ups []*upstream
	lb  *volt.LBClient // nil with one upstream
	tun atomic.Uint32  // rotation of tunnels over upstreams

	hdrTimeout  time.Duration
	idleTimeout time.Duration
	dialer      volt.Dialer

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// upstream is one server of Config.Upstreams.
type upstream struct {
	url     string
	hc      *volt.HostClient
	healthy atomic.Bool
}

// DoDeadline makes upstream a volt.BalancingClient.
func (u *upstream) DoDeadline(req *volt.Request, resp *volt.Response, deadline time.Time) error {
	return u.hc.DoDeadline(req, resp, deadline)
}

// PendingRequests makes upstream a volt.BalancingClient. An upstream that
// failed its health check reports the most pending requests there can be,
// which an LBClient never chooses: it is out of the rotation.
func (u *upstream) PendingRequests() int {
	if !u.healthy.Load() {
		return math.MaxInt
	}
	return u.hc.PendingRequests()
}

// New checks cfg and returns a Proxy for it.
func New(cfg Config) (*Proxy, error) {
	if len(cfg.Upstreams) == 0 {
		return nil, ErrNoUpstreams
	}
	p := &Proxy{
		cfg:         cfg,
		log:         cfg.Logger,
		trusted:     make([]netip.Prefix, 0, len(cfg.TrustedProxies)),
		hdrTimeout:  orDuration(cfg.ResponseHeaderTimeout, DefaultResponseHeaderTimeout),
		idleTimeout: orDuration(cfg.IdleTimeout, DefaultIdleTimeout),
		stop:        make(chan struct{}),
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	for _, pr := range cfg.TrustedProxies {
		p.trusted = append(p.trusted, pr.Masked())
	}
	via := cfg.Via
	if via == "" {
		via = DefaultVia
	}
	p.via10, p.via11, p.via2 = []byte("1.0 "+via), []byte("1.1 "+via), []byte("2 "+via)
	p.dialer.Timeout = orDuration(cfg.DialTimeout, DefaultDialTimeout)
	for _, raw := range cfg.Upstreams {
		u, err := p.newUpstream(raw)
		if err != nil {
			return nil, err
		}
		p.ups = append(p.ups, u)
	}
	if len(p.ups) > 1 {
		p.lb = &volt.LBClient{
			// Only a failure to talk to the upstream counts against it:
			// its own 5xx answers are forwarded, not held against it.
			HealthCheck: func(_ *volt.Request, _ *volt.Response, err error) bool {
				return err == nil || !upstreamFault(err)
			},
			Timeout: math.MaxInt64, // unused: every call has its own deadline
		}
		for _, u := range p.ups {
			p.lb.Clients = append(p.lb.Clients, u)
		}
		if cfg.HealthCheck.Path != "" {
			p.startHealthChecks()
		}
	}
	return p, nil
}

// newUpstream parses one upstream URL and makes its HostClient.
func (p *Proxy) newUpstream(raw string) (*upstream, error) {
	pu, err := url.Parse(raw)
	if err != nil || pu.Host == "" || pu.User != nil || pu.RawQuery != "" || pu.Fragment != "" ||
		(pu.Path != "" && pu.Path != "/") || (pu.Scheme != "http" && pu.Scheme != "https") {
		return nil, ErrBadUpstream
	}
	isTLS := pu.Scheme == "https"
	addr := pu.Host
	if _, _, err := net.SplitHostPort(addr); err != nil {
		port := ":80"
		if isTLS {
			port = ":443"
		}
		addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
		addr = net.JoinHostPort(addr, port[1:])
	}
	cfg := &p.cfg
	dialTimeout := orDuration(cfg.DialTimeout, DefaultDialTimeout)
	hc := &volt.HostClient{
		Addr:  addr,
		IsTLS: isTLS,
		ConnConfig: volt.ConnConfig{
			Name:                          "-", // the client's User-Agent, or none
			DialContext:                   p.dial,
			DialTimeout:                   dialTimeout,
			TLSConfig:                     cfg.TLSConfig,
			MaxConns:                      orInt(cfg.MaxConnsPerUpstream, DefaultMaxConnsPerUpstream),
			MaxConnWaitTimeout:            dialTimeout,
			MaxIdleConnDuration:           p.idleTimeout,
			MaxResponseBodySize:           -1, // streamed, never held whole
			StreamResponseBody:            true,
			DisableHeaderNamesNormalizing: true,
			DisablePathNormalizing:        true,
			DisableHTTP2:                  true,
		},
	}
	u := &upstream{url: pu.Scheme + "://" + addr, hc: hc}
	u.healthy.Store(true)
	return u, nil
}

// dial opens a connection to an upstream with the proxy's Dialer and
// wraps it to bound the wait for responses.
func (p *Proxy) dial(ctx context.Context, addr string) (net.Conn, error) {
	c, err := p.dialer.DialContext(ctx, addr)
	if err != nil {
		return nil, err
	}
	return &upstreamConn{Conn: c, header: p.hdrTimeout, idle: p.idleTimeout}, nil
}

// Close stops the health checks and closes the idle upstream connections.
// Requests in flight finish.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		close(p.stop)
		p.wg.Wait()
		for _, u := range p.ups {
			u.hc.CloseIdleConnections()
		}
	})
	return nil
}

// do sends req upstream and reads the head of the answer into resp. With
// several upstreams, a request that could not be sent because its
// upstream could not be reached (nothing of it left, its body unread) is
// sent to another: the LBClient avoids the one that just failed.
func (p *Proxy) do(req *volt.Request, resp *volt.Response) error {
	if p.lb == nil {
		return p.ups[0].hc.Do(req, resp)
	}
	var err error
	for range p.ups {
		if err = p.lb.DoDeadline(req, resp, time.Time{}); err == nil || !isDialError(err) {
			return err
		}
	}
	return err
}

// Handler forwards the request of ctx upstream and answers with the
// upstream's response. Requests asking for a protocol upgrade are
// tunnelled (see the package documentation).
func (p *Proxy) Handler(ctx *volt.RequestCtx) {
	h := &ctx.Request.Header
	if h.ConnectionUpgrade() && h.Has("Upgrade") {
		p.serveUpgrade(ctx)
		return
	}
	x := acquireExchange()
	req := &x.req
	p.prepareRequest(ctx, req, x, false)
	p.setRequestBody(ctx, req, x)
	if p.cfg.RewriteRequest != nil {
		p.cfg.RewriteRequest(ctx, req)
	}
	if err := p.do(req, &x.resp); err != nil {
		p.fail(ctx, err)
		releaseExchange(x)
		return
	}
	p.respond(ctx, x)
}

// prepareRequest fills req, the request to send upstream, from the
// client's request: its head with the hop-by-hop fields removed and the
// forwarding fields and Via added.
func (p *Proxy) prepareRequest(ctx *volt.RequestCtx, req *volt.Request, x *exchange, tunnel bool) {
	in := &ctx.Request.Header
	in.CopyTo(&req.Header)
	h := &req.Header
	if t := in.RequestURI(); len(t) > 0 && t[0] != '/' && !(len(t) == 1 && t[0] == '*') {
		// An absolute-form target: the origin gets the origin form.
		h.SetRequestURIBytes(ctx.URI().RequestURI())
	}
	h.SetProtocolHTTP2(false)
	h.SetProtocolHTTP10(false)
	x.buf = stripRequest(h, x.buf, tunnel)
	x.buf = p.setForwarded(ctx, h, x.buf)
	h.AddBytes(keyVia, p.viaValue(in))
}

// respond copies the upstream's response into ctx.Response: status,
// fields without the hop-by-hop ones, Via, and the body, read whole when
// small and framed by Content-Length, streamed otherwise.
func (p *Proxy) respond(ctx *volt.RequestCtx, x *exchange) {
	up := &x.resp
	out := &ctx.Response
	up.Header.CopyTo(&out.Header)
	x.buf = stripResponse(&out.Header, x.buf, false)
	out.Header.AddBytes(keyVia, p.via11)
	if !up.IsBodyStream() {
		out.SetBody(up.Body())
		releaseExchange(x)
	} else if n := up.Header.ContentLength(); n >= 0 && n <= bufferedBodyLimit {
		if err := x.readSmallBody(out, n); err != nil {
			p.fail(ctx, err)
			releaseExchange(x)
			return
		}
		releaseExchange(x)
	} else {
		x.startStream(p, ctx, n)
		out.SetBodyStream(&x.respBody, n)
		// From here the exchange belongs to ctx.Response, which closes
		// x.respBody (and so releases x) when the response was sent.
	}
	if p.cfg.ModifyResponse != nil {
		if err := p.cfg.ModifyResponse(ctx, out); err != nil {
			out.Reset()
			p.fail(ctx, err)
		}
	}
}

// fail answers the client when the upstream could not be used, and logs
// why.
func (p *Proxy) fail(ctx *volt.RequestCtx, err error) {
	code := statusBadGateway
	switch {
	case errors.Is(err, volt.ErrNoBackends):
		code = volt.StatusServiceUnavailable
	case isTimeout(err):
		code = statusGatewayTimeout
	}
	p.log.Warn("proxy: upstream request failed",
		"method", string(ctx.Method()), "uri", string(ctx.Request.Header.RequestURI()),
		"status", code, "error", err)
	ctx.Response.Reset()
	ctx.Response.Header.SetStatusCode(code)
	ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
	ctx.Response.SetBodyString(volt.StatusMessage(code))
}

// The gateway statuses the proxy answers with (RFC 9110 section 15.6).
const (
	statusBadGateway     = 502
	statusGatewayTimeout = 504
)

// isDialError reports whether err is a failure to connect.
func isDialError(err error) bool {
	var de *volt.DialError
	return errors.As(err, &de)
}

// isTimeout reports whether err is a timeout (net.Error's Timeout).
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// upstreamFault reports whether err shows the upstream unusable (it
// cannot be reached, timed out, closed the connection, or answered
// something that is not HTTP) rather than the request being bad.
func upstreamFault(err error) bool {
	var de *volt.DialError
	var te *volt.TLSError
	return errors.As(err, &de) || errors.As(err, &te) || isTimeout(err) ||
		errors.Is(err, volt.ErrConnectionClosed) || errors.Is(err, volt.ErrNoFreeConns)
}

func orInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

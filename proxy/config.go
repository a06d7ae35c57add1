package proxy

import (
	"crypto/tls"
	"log/slog"
	"net/netip"
	"time"

	"github.com/volthttp/volt"
)

// Default values of the Config fields left at zero.
const (
	DefaultDialTimeout           = 3 * time.Second
	DefaultResponseHeaderTimeout = 30 * time.Second
	DefaultIdleTimeout           = 60 * time.Second
	DefaultMaxConnsPerUpstream   = 512
	DefaultHealthCheckInterval   = 10 * time.Second
	DefaultHealthCheckTimeout    = 2 * time.Second
	DefaultVia                   = "volt"
)

// bufferedBodyLimit is the largest response body with a Content-Length
// that is read whole before the answer goes out (one write for head and
// body); larger or unframed bodies are streamed.
const bufferedBodyLimit = 32 << 10

// Config configures a Proxy. Each field's comment says what zero means.
type Config struct {
	// Upstreams are the servers requests go to: "http://host:port" or
	// "https://host:port" (the port defaults to the scheme's). There must
	// be at least one. With one, requests go to a volt.HostClient; with
	// several, a volt.LBClient sends each to the least busy healthy one.
	Upstreams []string

	// TrustedProxies are the peers (typically other proxies or load
	// balancers in front of this one) whose X-Forwarded-For,
	// X-Forwarded-Proto, X-Forwarded-Host and Forwarded fields are kept and
	// appended to. From any other peer these fields are dropped and
	// replaced with what the proxy sees. If empty, no peer is trusted.
	TrustedProxies []netip.Prefix

	// RewriteRequest, if set, is called with the request about to go
	// upstream, after the proxy set its fields (hop-by-hop fields removed,
	// forwarding fields and Via added): it may change the path, the Host
	// field, add or remove fields. req is valid until the response is
	// received. If nil, the request goes as prepared.
	RewriteRequest func(ctx *volt.RequestCtx, req *volt.Request)

	// ModifyResponse, if set, is called with the response about to go to
	// the client: resp is ctx.Response, holding the upstream's status and
	// fields (hop-by-hop fields removed, Via added) and its body, possibly
	// as a stream. An error makes the proxy answer 502 instead. It is
	// not called for the 101 answer that opens a tunnel. If nil, the
	// response goes as received.
	ModifyResponse func(ctx *volt.RequestCtx, resp *volt.Response) error

	// Logger receives upstream failures (at Warn) and health changes (at
	// Info). If nil, slog.Default() is used.
	Logger *slog.Logger

	// DialTimeout bounds a connection to an upstream (and its TLS
	// handshake), and the wait for a free connection when
	// MaxConnsPerUpstream are busy. If zero, DefaultDialTimeout (3 s).
	DialTimeout time.Duration

	// ResponseHeaderTimeout bounds the wait for the first byte of the
	// upstream's response once the request was written; past it the
	// client gets 504. The body may take any time after that. If zero,
	// DefaultResponseHeaderTimeout (30 s).
	ResponseHeaderTimeout time.Duration

	// IdleTimeout is how long an upstream connection may stay silent: in
	// the pool between requests (it is closed after), and in the middle of
	// a request or response body (the upstream takes or sends no byte for
	// that long: the exchange fails, and the client gets 504 if its
	// response has not begun, else a body cut short). Tunnels have no
	// such limit. Keep it below the upstream's own keep-alive timeout. If
	// zero, DefaultIdleTimeout (60 s).
	IdleTimeout time.Duration

	// MaxConnsPerUpstream is the most connections open to one upstream,
	// tunnels not counted. If zero, DefaultMaxConnsPerUpstream (512).
	MaxConnsPerUpstream int

	// HealthCheck probes the upstreams when there are several.
	HealthCheck HealthCheck

	// Via is the pseudonym the proxy gives itself in the Via field. If
	// empty, DefaultVia ("volt").
	Via string

	// TLSConfig is used for https upstreams. If nil, a config with the
	// system roots and TLS 1.2 at least is used.
	TLSConfig *tls.Config
}

// HealthCheck configures the probes of the upstreams of an LBClient: every
// Interval, each upstream gets "GET Path"; one that fails (no answer
// within Timeout, or a status other than 2xx and 3xx) is taken out of the
// rotation and put back after its first successful probe. With a single
// upstream there is no probe.
type HealthCheck struct {
	// Path is the request target of a probe, such as "/healthz". If
	// empty, upstreams are not probed.
	Path string

	// Interval is the time between probes. If zero,
	// DefaultHealthCheckInterval (10 s).
	Interval time.Duration

	// Timeout bounds one probe. If zero, DefaultHealthCheckTimeout (2 s).
	Timeout time.Duration
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

package volt

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"time"
)

// DialFunc opens a connection to addr ("host:port").
type DialFunc func(addr string) (net.Conn, error)

// DialContextFunc opens a connection to addr ("host:port") within ctx: it
// should give up when ctx ends, which carries the call's deadline and
// cancellation.
type DialContextFunc func(ctx context.Context, addr string) (net.Conn, error)

// Default values of client settings left at zero.
const (
	DefaultMaxConnsPerHost     = 512
	DefaultMaxIdleConnDuration = 10 * time.Second
	DefaultDialTimeout         = 3 * time.Second
	DefaultMaxResponseBodySize = 64 << 20
)

// ConnConfig holds the settings that Client and HostClient share. Client
// embeds it and hands it whole to the HostClients it creates, so that a
// setting is written once. Each field's comment says what zero means.
type ConnConfig struct {
	// Name is sent as User-Agent when the request has none. If empty,
	// "volt" is sent; "-" sends none.
	Name string

	// Dial opens connections (to the proxy, if there is one). If nil, a
	// Dialer shared by the process is used, with DialTimeout (see Dialer
	// for its DNS cache, happy eyeballs and Unix sockets).
	Dial DialFunc

	// DialContext, if set, opens connections instead of Dial, with a
	// context that ends at DialTimeout, at the call's deadline (DoTimeout,
	// DoDeadline) or when the call's context is cancelled (DoCtx),
	// whichever comes first: a custom dialer that honours its context
	// cannot outlast the call.
	DialContext DialContextFunc

	// DialTimeout bounds a dial by the shared Dialer or DialContext (a
	// Dial of your own bounds itself), and separately the proxy handshake
	// and the TLS handshake that follow. If zero, DefaultDialTimeout (3 s).
	DialTimeout time.Duration

	// Proxy chooses the proxy of each new connection from the URL scheme
	// ("http" or "https") and the "host:port" of the origin server. It
	// returns an "http", "https", "socks5" or "socks5h" URL, whose
	// userinfo gives the proxy's credentials, or nil for a direct
	// connection. ProxyFromEnvironment reads HTTP_PROXY, HTTPS_PROXY and
	// NO_PROXY; ProxyURL always answers the same proxy. If nil, every
	// connection is direct and the environment is not read (as in
	// fasthttp; net/http's default Transport reads it).
	Proxy func(scheme, host string) (*url.URL, error)

	// Trace, if not nil, is called at each step of every request (see
	// ClientTrace). If nil, tracing costs a nil check per step.
	Trace *ClientTrace

	// TLSConfig is used for https. If nil, a config with the system roots
	// and TLS 1.2 at least is used. ServerName is set from the host when
	// empty.
	TLSConfig *tls.Config

	// MaxConns is the most connections to one host. If zero,
	// DefaultMaxConnsPerHost (512).
	MaxConns int

	// MaxConnWaitTimeout is how long a caller waits for a free connection
	// when MaxConns are busy before it gets ErrNoFreeConns. If zero, it
	// gets ErrNoFreeConns at once.
	MaxConnWaitTimeout time.Duration

	// MaxIdleConnDuration closes connections idle for longer. If zero,
	// DefaultMaxIdleConnDuration (10 s).
	MaxIdleConnDuration time.Duration

	// MaxConnDuration closes a connection after it served this long (at
	// the end of a request). If zero, there is no limit.
	MaxConnDuration time.Duration

	// MaxIdempotentCallAttempts is how many times an idempotent request
	// is tried when a reused connection fails before any response byte.
	// If zero, 5.
	MaxIdempotentCallAttempts int

	// RetryIf, if set, decides whether a failed request may be retried
	// (instead of the idempotency rule).
	RetryIf func(req *Request) bool

	// ReadTimeout bounds reading a whole response. If zero, no limit.
	ReadTimeout time.Duration

	// WriteTimeout bounds writing a whole request. If zero, no limit.
	WriteTimeout time.Duration

	// MaxResponseBodySize is the largest response body read into memory
	// (ErrBodyTooLarge past it). If zero, DefaultMaxResponseBodySize
	// (64 MiB); if negative, no limit.
	MaxResponseBodySize int64

	// StreamResponseBody leaves response bodies unread for the caller to
	// read from Response.BodyStream; the connection returns to the pool
	// when the stream is read to its end or closed.
	StreamResponseBody bool

	// ReadBufferSize and WriteBufferSize size a connection's buffers. If
	// zero, 4096.
	ReadBufferSize  int
	WriteBufferSize int

	// MaxHeaderBytes is the largest response head accepted. If zero,
	// DefaultMaxHeaderBytes (32 KiB).
	MaxHeaderBytes int

	// DisableHeaderNamesNormalizing keeps response header names as sent.
	DisableHeaderNamesNormalizing bool

	// DisablePathNormalizing sends request paths exactly as given.
	DisablePathNormalizing bool

	// DisableHTTP2 keeps https connections on HTTP/1.1. If false, https
	// connections offer h2 before http/1.1 by ALPN and speak HTTP/2 when
	// the server chooses it, provided package volt/http2 is linked into
	// the program (importing it is enough); a TLSConfig with NextProtos
	// of its own offers those instead.
	DisableHTTP2 bool

	// HTTP2PriorKnowledge makes cleartext (http) connections speak
	// HTTP/2 from their first byte (RFC 9113 section 3.3), for servers
	// known to accept it; requests fail with ErrHTTP2Unavailable when
	// package volt/http2 is not linked. It does not change https, which
	// chooses by ALPN. If false, http connections speak HTTP/1.1.
	HTTP2PriorKnowledge bool
}

func (c *ConnConfig) dialTimeout() time.Duration {
	if c.DialTimeout > 0 {
		return c.DialTimeout
	}
	return DefaultDialTimeout
}

func (c *ConnConfig) maxBodySize() int64 {
	switch {
	case c.MaxResponseBodySize > 0:
		return c.MaxResponseBodySize
	case c.MaxResponseBodySize < 0:
		return 1<<63 - 1
	}
	return DefaultMaxResponseBodySize
}

func (c *ConnConfig) maxIdle() time.Duration {
	if c.MaxIdleConnDuration > 0 {
		return c.MaxIdleConnDuration
	}
	return DefaultMaxIdleConnDuration
}

func (c *ConnConfig) attempts() int {
	if c.MaxIdempotentCallAttempts > 0 {
		return c.MaxIdempotentCallAttempts
	}
	return 5
}

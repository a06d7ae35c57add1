package websocket

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/volthttp/volt"
	"github.com/volthttp/volt/internal/ascii"
)

// The client side of the opening handshake.
//
// See https://www.rfc-editor.org/rfc/rfc6455#section-4.1

// DialOptions configures Dial. A nil *DialOptions, like the zero value,
// means the defaults.
type DialOptions struct {
	Config

	// Subprotocols are offered in Sec-WebSocket-Protocol, in order of
	// preference. If empty, none is offered.
	Subprotocols []string

	// Header holds extra request header fields, such as Origin,
	// Authorization or Cookie; an http.Header fits. The fields of the
	// handshake itself (Host, Upgrade, Connection, Sec-WebSocket-*) are
	// set by Dial and must not be given here. When Dial tries HTTP/2
	// (see HTTP), a field that HTTP/2 forbids (Connection, Keep-Alive,
	// Proxy-Connection, Transfer-Encoding, Upgrade, TE) or Host makes
	// Dial fail with an error matching volt.ErrInvalidHeaderField before
	// anything is sent.
	Header map[string][]string

	// HTTP is the client whose pooled HTTP/2 connections carry the
	// WebSocket (RFC 8441) when the host is reached over HTTP/2 and its
	// server allows extended CONNECT: many WebSockets to one host then
	// share one TCP connection. Otherwise Dial falls back to the HTTP/1.1
	// Upgrade on a connection of its own, dialed with Dial, Proxy and
	// TLSConfig, or, for those left nil, with HTTP's ConnConfig.
	//
	// HTTP/2 is used only when package volt/http2 is linked into the
	// program (import _ "github.com/volthttp/volt/http2"): over TLS when
	// the server chooses h2 by ALPN (unless HTTP.DisableHTTP2), and for
	// ws:// when HTTP.HTTP2PriorKnowledge is set.
	//
	// If nil and Dial, Proxy and TLSConfig are all nil, a wss:// Dial
	// uses a client shared by every such Dial, so that WebSockets to one
	// HTTP/2 host share a connection (ws:// then goes over HTTP/1.1: the
	// shared client has no HTTP2PriorKnowledge). If nil and any of them
	// is set, the WebSocket always goes over HTTP/1.1, on a connection of
	// its own.
	HTTP *volt.Client

	// Dial opens the network connection to "host:port" (the proxy's, if
	// there is one). If nil, volt's shared Dialer is used (DNS cache,
	// happy eyeballs), bounded by HandshakeTimeout and the context.
	Dial volt.DialFunc

	// Proxy chooses the proxy from the scheme ("http" for ws://, "https"
	// for wss://) and "host:port", as volt.ConnConfig.Proxy does:
	// volt.ProxyFromEnvironment reads HTTP_PROXY, HTTPS_PROXY and
	// NO_PROXY; volt.ProxyURL always answers the same proxy. An HTTP or
	// HTTPS proxy is asked for a CONNECT tunnel (with the credentials of
	// the proxy URL's userinfo), for ws:// too; socks5:// proxies work as
	// well. If nil, or if it returns nil, the connection is direct.
	Proxy func(scheme, host string) (*url.URL, error)

	// TLSConfig is used for wss:// URLs over HTTP/1.1. If nil, a config
	// with the system roots and TLS 1.2 at least is used. ServerName is
	// set from the URL when empty; NextProtos is set to http/1.1. The
	// HTTP/2 connections of HTTP use HTTP's own TLSConfig.
	TLSConfig *tls.Config

	// HandshakeTimeout bounds the dial, the TLS handshake and the opening
	// handshake together. If zero, DefaultHandshakeTimeout (10 s).
	HandshakeTimeout time.Duration
}

// Dial opens a WebSocket connection to rawURL (ws://, wss://, or http://
// and https:// for the same), within ctx: the context bounds the opening
// handshake only, not the connection. It checks the server's
// Sec-WebSocket-Accept, subprotocol and extensions. A response other than
// 101 (2xx over HTTP/2) returns a *HandshakeError with its status. A
// Compression setting out of range returns ErrCompressionLevel or
// ErrWindowBits before dialing. The caller must Close the connection.
//
// Over HTTP/2 (see DialOptions.HTTP) the handshake is an extended CONNECT
// (RFC 8441) on a stream of a pooled connection, and Close ends that
// stream only; Conn.IsHTTP2 tells which way was taken.
func Dial(ctx context.Context, rawURL string, opts *DialOptions) (*Conn, error) {
	if opts == nil {
		opts = &DialOptions{}
	}
	if err := opts.Compression.check(); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, ErrBadURL
	}
	if err := checkDialFields(opts, false); err != nil {
		return nil, err
	}
	var useTLS bool
	port := "80"
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
	case "wss", "https":
		useTLS, port = true, "443"
	default:
		return nil, ErrBadURL
	}
	host := u.Hostname()
	if p := u.Port(); p != "" {
		port = p
	}
	timeout := opts.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	hc := opts.HTTP
	if hc == nil && useTLS && opts.Dial == nil && opts.Proxy == nil && opts.TLSConfig == nil {
		hc = sharedHTTP // for ws://, it would always answer HTTP/1.1
	}
	if hc != nil {
		c, err := dialStream(ctx, hc, u, useTLS, opts)
		if !errors.Is(err, volt.ErrExtendedConnectRefused) {
			return c, err
		}
		// The host is reached over HTTP/1.1, or refuses extended
		// CONNECT: nothing was sent.
	}

	nc, err := dialConn(ctx, opts, net.JoinHostPort(host, port), useTLS)
	if err != nil {
		return nil, fmt.Errorf("websocket: dial %s: %w", rawURL, err)
	}
	c, err := handshake(ctx, nc, u, opts)
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	return c, nil
}

// dialConn opens the network connection through volt's client dialing
// (HostClient.DialTunnel): the shared Dialer with its DNS cache and happy
// eyeballs (or o.Dial), the proxy o.Proxy chooses with a CONNECT tunnel
// through HTTP proxies, and TLS for wss with ALPN http/1.1 only.
//
// With o.HTTP set, the fields of o left nil come from its ConnConfig.
func dialConn(ctx context.Context, o *DialOptions, addr string, useTLS bool) (net.Conn, error) {
	hc := &volt.HostClient{Addr: addr, IsTLS: useTLS, ConnConfig: volt.ConnConfig{
		Dial:        o.Dial,
		DialTimeout: o.HandshakeTimeout, // ctx bounds it too
		Proxy:       o.Proxy,
	}}
	tlsConfig := o.TLSConfig
	if h := o.HTTP; h != nil {
		if o.Dial == nil {
			hc.Dial, hc.DialContext = h.Dial, h.DialContext
		}
		if o.Proxy == nil {
			hc.Proxy = h.Proxy
		}
		if tlsConfig == nil {
			tlsConfig = h.TLSConfig
		}
	}
	if useTLS {
		var cfg *tls.Config
		if tlsConfig != nil {
			cfg = tlsConfig.Clone()
		} else {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		if cfg.ClientSessionCache == nil {
			cfg.ClientSessionCache = sessionCache
		}
		cfg.NextProtos = []string{"http/1.1"}
		hc.TLSConfig = cfg
	}
	return hc.DialTunnel(ctx)
}

// sessionCache lets wss connections resume TLS sessions across Dial calls
// whose TLSConfig has no cache of its own.
var sessionCache = tls.NewLRUClientSessionCache(64)

// handshake sends the opening handshake on nc and checks the answer.
func handshake(ctx context.Context, nc net.Conn, u *url.URL, o *DialOptions) (*Conn, error) {
	if d, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var raw [16]byte
	_, _ = rand.Read(raw[:])
	key := base64.StdEncoding.EncodeToString(raw[:])
	target := u.RequestURI()
	if target == "" {
		target = "/"
	}
	b := make([]byte, 0, 512)
	b = append(b, "GET "...)
	b = append(b, target...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, u.Host...)
	b = append(b, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "...)
	b = append(b, key...)
	b = append(b, "\r\n"...)
	if len(o.Subprotocols) > 0 {
		b = append(b, "Sec-WebSocket-Protocol: "...)
		b = append(b, strings.Join(o.Subprotocols, ", ")...)
		b = append(b, "\r\n"...)
	}
	if o.Compression.Enabled {
		b = append(b, "Sec-WebSocket-Extensions: "...)
		b = append(b, offerDeflate(&o.Compression)...)
		b = append(b, "\r\n"...)
	}
	for k, vs := range o.Header {
		for _, v := range vs {
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	b = append(b, "\r\n"...)
	if _, err := nc.Write(b); err != nil {
		return nil, fmt.Errorf("websocket: writing the handshake: %w", err)
	}

	br := bufio.NewReaderSize(nc, 16<<10)
	var h volt.ResponseHeader
	if err := h.Read(br); err != nil {
		return nil, fmt.Errorf("websocket: reading the handshake response: %w", err)
	}
	if h.StatusCode() != volt.StatusSwitchingProtocols {
		return nil, &HandshakeError{StatusCode: h.StatusCode(), Reason: "the server did not switch protocols"}
	}
	fail := func(reason string) error {
		return &HandshakeError{StatusCode: h.StatusCode(), Reason: reason}
	}
	if !hasToken(string(h.Peek("Upgrade")), "websocket") || !h.ConnectionUpgrade() {
		return nil, fail("no upgrade to websocket in the response")
	}
	if string(h.Peek("Sec-WebSocket-Accept")) != acceptKey(key) {
		return nil, fail("wrong Sec-WebSocket-Accept")
	}
	subprotocol, pm, err := checkAnswer(&h, o)
	if err != nil {
		return nil, err
	}
	if !stop() {
		return nil, fmt.Errorf("websocket: handshake: %w", context.Cause(ctx))
	}
	_ = nc.SetDeadline(time.Time{})
	early, _ := br.Peek(br.Buffered())
	cfg := o.Config // the caller may reuse its options
	return newConn(nc, false, &cfg, subprotocol, pm, early), nil
}

// checkDialFields checks the subprotocols offered and the caller's header
// fields: tokens and field values, and, over HTTP/2 (h2), none of the
// fields that HTTP/2 forbids or that the stream's pseudo-header fields
// replace (RFC 9113 section 8.2.2).
func checkDialFields(o *DialOptions, h2 bool) error {
	for _, p := range o.Subprotocols {
		if !ascii.ValidToken([]byte(p)) {
			return fmt.Errorf("websocket: invalid subprotocol %q: %w", p, volt.ErrInvalidHeaderField)
		}
	}
	for k, vs := range o.Header {
		for _, v := range vs {
			if !ascii.ValidToken([]byte(k)) || !ascii.ValidFieldValue([]byte(v)) {
				return fmt.Errorf("websocket: invalid header field %q: %w", k, volt.ErrInvalidHeaderField)
			}
		}
		if h2 && connectionSpecific(k) {
			return fmt.Errorf("websocket: header field %q may not be sent over HTTP/2: %w", k, volt.ErrInvalidHeaderField)
		}
	}
	return nil
}

// connectionSpecific reports whether a field named k may not appear in an
// HTTP/2 request: the connection-specific fields, and Host, which
// :authority replaces.
func connectionSpecific(k string) bool {
	for _, f := range [...]string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE", "Host"} {
		if strings.EqualFold(k, f) {
			return true
		}
	}
	return false
}

// checkAnswer checks the subprotocol and the extensions of a successful
// handshake answer h (101, or 2xx over HTTP/2) against what o offered, and
// returns what was negotiated.
func checkAnswer(h *volt.ResponseHeader, o *DialOptions) (subprotocol string, pm *deflateParams, err error) {
	fail := func(reason string) error {
		return &HandshakeError{StatusCode: h.StatusCode(), Reason: reason}
	}
	subprotocol = string(h.Peek("Sec-WebSocket-Protocol"))
	if subprotocol != "" && !contains(o.Subprotocols, subprotocol) {
		return "", nil, fail("the server chose a subprotocol that was not offered: " + subprotocol)
	}
	var exts []extension
	for k, v := range h.All() {
		if strings.EqualFold(string(k), "Sec-WebSocket-Extensions") {
			var ok bool
			if exts, ok = parseExtensions(exts, string(v)); !ok {
				return "", nil, fail("malformed Sec-WebSocket-Extensions")
			}
		}
	}
	switch {
	case len(exts) == 0:
	case !o.Compression.Enabled || len(exts) > 1:
		return "", nil, fail("the server chose an extension that was not offered")
	default:
		p, reason := checkDeflateResponse(&exts[0], &o.Compression)
		if reason != "" {
			return "", nil, fail(reason)
		}
		pm = &p
	}
	return subprotocol, pm, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

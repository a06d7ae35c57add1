package volt

import (
	"crypto/tls"
	"net"
	"time"
)

// ClientTrace is a set of hooks that a Client or HostClient calls at the
// steps of a request, to log them or measure their time. Set it as
// ConnConfig.Trace; any hook may be nil. A nil Trace or a nil hook costs
// one nil check per step and allocates nothing.
//
// The trace belongs to the client, not to one request: concurrent requests
// call the same hooks, so hooks must be safe for concurrent use. Hooks are
// called from the goroutine making the request, except ConnectStart and
// ConnectDone, which happy-eyeballs dialing may call from two goroutines
// at once, and GotFirstResponseByte over HTTP/2, which the connection's
// reader goroutine calls as the stream's first HEADERS frame arrives (if
// that is after WroteRequest; else the request's goroutine calls it
// right after WroteRequest). Hooks must not keep the slices and connections they are passed
// beyond the call unless the field says so.
//
// For a request on a new connection the order is: DNSStart, DNSDone (only
// for a host name, not an IP address; also on a DNS cache hit),
// ConnectStart and ConnectDone (once per address tried; for a proxy, the
// proxy's address), TLSHandshakeStart and TLSHandshakeDone (https only),
// GotConn, WroteRequest, GotFirstResponseByte. On a reused connection it
// is GotConn, WroteRequest, GotFirstResponseByte. A retried request calls
// the hooks again for each attempt.
//
// With a Dial of your own in ConnConfig, DNSStart and DNSDone are not
// called, and the dial is reported as one ConnectStart/ConnectDone pair
// with network "tcp" and the address given to Dial.
//
// See https://pkg.go.dev/net/http/httptrace for the same idea in net/http.
type ClientTrace struct {
	// DNSStart is called before a host name is resolved.
	DNSStart func(host string)

	// DNSDone is called after a host name was resolved.
	DNSDone func(DNSDoneInfo)

	// ConnectStart is called before a connection attempt to addr
	// ("ip:port", or a path for network "unix").
	ConnectStart func(network, addr string)

	// ConnectDone is called when that attempt ends; err is nil if it
	// connected.
	ConnectDone func(network, addr string, err error)

	// TLSHandshakeStart is called before the TLS handshake with the
	// origin server.
	TLSHandshakeStart func()

	// TLSHandshakeDone is called after the TLS handshake, with the
	// connection's state when it succeeded.
	TLSHandshakeDone func(state tls.ConnectionState, err error)

	// GotConn is called when the request got its connection, new or
	// taken from the pool.
	GotConn func(GotConnInfo)

	// WroteRequest is called after the whole request (head and body) was
	// written, or writing it failed with err.
	WroteRequest func(err error)

	// GotFirstResponseByte is called when the first byte of the response
	// arrived.
	GotFirstResponseByte func()
}

// DNSDoneInfo describes the end of a name resolution (ClientTrace.DNSDone).
type DNSDoneInfo struct {
	// Addrs are the addresses found. The slice is shared with the DNS
	// cache: do not modify it or keep it.
	Addrs []net.IPAddr
	// Err is the lookup's error, if any.
	Err error
	// Cached reports that Addrs came from the Dialer's DNS cache.
	Cached bool
}

// GotConnInfo describes the connection a request got
// (ClientTrace.GotConn).
type GotConnInfo struct {
	// Conn is the connection. It belongs to the client: do not read,
	// write or close it.
	Conn net.Conn
	// Reused reports that the connection served requests before.
	Reused bool
	// IdleTime is how long the connection had been idle in the pool, if
	// Reused.
	IdleTime time.Duration
}

// gotConn reports cc to the GotConn hook, if there is one.
func (t *ClientTrace) gotConn(cc *clientConn) {
	if t == nil || t.GotConn == nil {
		return
	}
	info := GotConnInfo{Conn: cc.c, Reused: cc.reused}
	if cc.reused {
		info.IdleTime = time.Since(cc.lastUse)
	}
	t.GotConn(info)
}

// wrote reports the end of writing a request to the WroteRequest hook and
// returns err.
func (cc *clientConn) wrote(err error) error {
	if t := cc.hc.Trace; t != nil && t.WroteRequest != nil {
		t.WroteRequest(err)
	}
	return err
}

// gotFirstByte calls the GotFirstResponseByte hook, if there is one.
func (t *ClientTrace) gotFirstByte() {
	if t != nil && t.GotFirstResponseByte != nil {
		t.GotFirstResponseByte()
	}
}

package volt

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Default values of Dialer settings left at zero.
const (
	// DefaultDNSCacheTTL is how long a Dialer reuses a host name's
	// addresses.
	DefaultDNSCacheTTL = time.Minute
	// DefaultDNSCacheSize is how many host names a Dialer caches.
	DefaultDNSCacheSize = 1024
	// DefaultFallbackDelay is how long a Dialer waits for the first
	// address family before it also tries the other (RFC 8305 section 5
	// recommends 250 ms; 300 ms is net.Dialer's value).
	DefaultFallbackDelay = 300 * time.Millisecond
)

// Dialer opens the connections of a Client or HostClient. It resolves host
// names through a small DNS cache, races IPv6 and IPv4 ("happy eyeballs",
// RFC 8305), bounds each dial with a timeout, and reaches Unix sockets.
// The zero value is ready to use, and a Dialer is safe for concurrent use;
// do not copy one after first use. A Client or HostClient whose Dial is nil
// uses a Dialer shared by the whole process, with ConnConfig.DialTimeout as
// its Timeout. To change other settings, set Dial to a Dialer's Dial:
//
//	d := &volt.Dialer{DNSCacheTTL: 10 * time.Second}
//	c := &volt.Client{ConnConfig: volt.ConnConfig{Dial: d.Dial}}
//
// (With a Dial of your own, ClientTrace's DNS hooks are not called, and
// the dial is reported as one ConnectStart/ConnectDone pair.)
//
// # Addresses
//
// Dial takes "host:port", where host is a name, an IPv4 address or a
// bracketed IPv6 address, or "unix:" followed by the path of a Unix
// socket ("unix:/run/app.sock"). A HostClient can use a Unix socket
// address as its Addr; a Client, which takes its addresses from URLs,
// reaches one through ConnectTo:
//
//	d := &volt.Dialer{ConnectTo: map[string]string{"app.local:80": "unix:/run/app.sock"}}
//	c := &volt.Client{ConnConfig: volt.ConnConfig{Dial: d.Dial}}
//	status, body, err := c.Get(nil, "http://app.local/status")
//
// # Happy eyeballs
//
// When a name has both IPv6 and IPv4 addresses, Dial tries the family of
// the first address the resolver returned, one address after another, and
// after FallbackDelay without a connection (or at once, if the first
// family failed) also the other family. The first connection made wins;
// the others are cancelled or closed.
//
// See https://www.rfc-editor.org/rfc/rfc8305.html.
type Dialer struct {
	// Timeout bounds a whole Dial: name lookup and connection attempts.
	// If zero, DefaultDialTimeout (3 s) is used; if negative, there is no
	// limit other than the context's.
	Timeout time.Duration

	// DNSCacheTTL is how long the addresses of a host name are reused.
	// When an entry is older, the next Dial looks the name up again
	// (other Dials meanwhile go on with the old addresses). If zero,
	// DefaultDNSCacheTTL (1 minute) is used; if negative, every Dial looks
	// the name up.
	DNSCacheTTL time.Duration

	// DNSCacheSize is the most host names kept. When the cache is full,
	// expired entries are dropped first, then an arbitrary one. If zero,
	// DefaultDNSCacheSize (1024) is used.
	DNSCacheSize int

	// FallbackDelay is how long the first address family has before the
	// other one is tried too. If zero, DefaultFallbackDelay (300 ms) is
	// used; if negative, the other family is tried only after the first
	// one failed.
	FallbackDelay time.Duration

	// ConnectTo maps an address given to Dial ("host:port") to the
	// address to connect to instead ("host:port" or "unix:/path"), like
	// curl's --connect-to. TLS still checks the certificate against the
	// original host. If nil, addresses are used as given. It is read, not
	// copied: do not change it while the Dialer is in use.
	ConnectTo map[string]string

	// LookupIPAddr resolves a host name. If nil,
	// net.DefaultResolver.LookupIPAddr is used.
	LookupIPAddr func(ctx context.Context, host string) ([]net.IPAddr, error)

	// NetDial opens one connection to a resolved address ("ip:port" on
	// network "tcp", or a path on network "unix"), for example a
	// net.Dialer's DialContext with a LocalAddr or KeepAlive setting. If
	// nil, a zero net.Dialer's DialContext is used.
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)

	dns dnsCache
}

// defaultDialer dials for every Client and HostClient whose Dial is nil,
// so that they share one DNS cache.
var defaultDialer Dialer

// Dial opens a connection to addr ("host:port" or "unix:/path"). Its
// signature is DialFunc's, so that d.Dial can be a ConnConfig's Dial.
func (d *Dialer) Dial(addr string) (net.Conn, error) {
	return d.dial(context.Background(), addr, d.Timeout, nil)
}

// DialContext is Dial under a context: the dial ends when ctx ends.
func (d *Dialer) DialContext(ctx context.Context, addr string) (net.Conn, error) {
	return d.dial(ctx, addr, d.Timeout, nil)
}

// dial opens a connection within timeout (zero: DefaultDialTimeout,
// negative: none), reporting to trace if it is not nil.
func (d *Dialer) dial(ctx context.Context, addr string, timeout time.Duration, trace *ClientTrace) (net.Conn, error) {
	if timeout == 0 {
		timeout = DefaultDialTimeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if to, ok := d.ConnectTo[addr]; ok {
		addr = to
	}
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		return d.netDial(ctx, "unix", path, trace)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return d.netDial(ctx, "tcp", addr, trace) // an IP address: no lookup
	}
	ips, err := d.lookup(ctx, host, trace)
	if err != nil {
		return nil, err
	}
	return d.dialParallel(ctx, ips, port, trace)
}

// netDial makes one connection attempt, reported to trace.
func (d *Dialer) netDial(ctx context.Context, network, addr string, trace *ClientTrace) (net.Conn, error) {
	if trace != nil && trace.ConnectStart != nil {
		trace.ConnectStart(network, addr)
	}
	var c net.Conn
	var err error
	if d.NetDial != nil {
		c, err = d.NetDial(ctx, network, addr)
	} else {
		var nd net.Dialer
		c, err = nd.DialContext(ctx, network, addr)
	}
	if trace != nil && trace.ConnectDone != nil {
		trace.ConnectDone(network, addr, err)
	}
	return c, err
}

// dialParallel races the two address families of ips (RFC 8305 section
// 5): the family of ips[0] first, the other after FallbackDelay or as soon
// as the first one failed. The first connection wins; the loser's
// attempt is cancelled, and a connection it made anyway is closed.
func (d *Dialer) dialParallel(ctx context.Context, ips []net.IPAddr, port string, trace *ClientTrace) (net.Conn, error) {
	primaries, fallbacks := splitFamilies(ips)
	if len(fallbacks) == 0 {
		return d.dialSerial(ctx, primaries, port, trace)
	}
	type result struct {
		c       net.Conn
		err     error
		primary bool
	}
	results := make(chan result) // unbuffered: a racer that finds nobody listening closes its conn
	returned := make(chan struct{})
	defer close(returned)
	race := func(ctx context.Context, ips []net.IPAddr, primary bool) {
		c, err := d.dialSerial(ctx, ips, port, trace)
		select {
		case results <- result{c, err, primary}:
		case <-returned:
			if c != nil {
				_ = c.Close()
			}
		}
	}
	primaryCtx, cancelPrimary := context.WithCancel(ctx)
	defer cancelPrimary()
	fallbackCtx, cancelFallback := context.WithCancel(ctx)
	defer cancelFallback()
	go race(primaryCtx, primaries, true)
	delay := d.FallbackDelay
	if delay == 0 {
		delay = DefaultFallbackDelay
	}
	var timer *time.Timer
	var timerC <-chan time.Time
	if delay > 0 {
		timer = time.NewTimer(delay)
		defer timer.Stop()
		timerC = timer.C
	}
	started, pending := false, 1
	var firstErr error
	for {
		select {
		case <-timerC:
			timerC = nil
			if !started {
				started, pending = true, pending+1
				go race(fallbackCtx, fallbacks, false)
			}
		case r := <-results:
			pending--
			if r.err == nil {
				return r.c, nil
			}
			if r.primary || firstErr == nil {
				firstErr = r.err
			}
			if !started && ctx.Err() == nil {
				// The first family failed before the delay: try the
				// other now.
				timerC = nil
				started, pending = true, pending+1
				go race(fallbackCtx, fallbacks, false)
			}
			if pending == 0 {
				return nil, firstErr
			}
		}
	}
}

// splitFamilies splits ips into those of the family of ips[0] and the
// others, keeping their order.
func splitFamilies(ips []net.IPAddr) (first, other []net.IPAddr) {
	if len(ips) == 0 {
		return nil, nil
	}
	v4 := ips[0].IP.To4() != nil
	for _, ip := range ips {
		if (ip.IP.To4() != nil) == v4 {
			first = append(first, ip)
		} else {
			other = append(other, ip)
		}
	}
	return first, other
}

// minAttemptTime is the least time one of several addresses gets, as in
// package net.
const minAttemptTime = 2 * time.Second

// dialSerial tries ips one after another. Each attempt but the last gets
// an equal share of the time left (at least minAttemptTime), so that one
// address that drops packets does not use up the whole timeout.
func (d *Dialer) dialSerial(ctx context.Context, ips []net.IPAddr, port string, trace *ClientTrace) (net.Conn, error) {
	var firstErr error
	for i, ip := range ips {
		if err := ctx.Err(); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			break
		}
		actx := ctx
		cancel := context.CancelFunc(func() {})
		if dl, ok := ctx.Deadline(); ok && i < len(ips)-1 {
			left := time.Until(dl)
			share := max(left/time.Duration(len(ips)-i), minAttemptTime)
			if share < left {
				actx, cancel = context.WithTimeout(ctx, share)
			}
		}
		c, err := d.netDial(actx, "tcp", joinIPPort(ip, port), trace)
		cancel()
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = &net.AddrError{Err: "no addresses", Addr: port}
	}
	return nil, firstErr
}

func joinIPPort(ip net.IPAddr, port string) string {
	host := ip.IP.String()
	if ip.Zone != "" {
		host += "%" + ip.Zone
	}
	return net.JoinHostPort(host, port)
}

package proxyproto

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// DefaultHeaderTimeout is the time a trusted peer has to send its header
// when Config.HeaderTimeout is zero.
const DefaultHeaderTimeout = 5 * time.Second

// DefaultMaxHeaderSize bounds a version 2 header when
// Config.MaxHeaderSize is zero.
const DefaultMaxHeaderSize = 4096

// DefaultMaxPending bounds the handshakes in progress when
// Config.MaxPending is zero.
const DefaultMaxPending = 1024

// Config configures NewListener.
type Config struct {
	// Trusted lists the networks of the proxies allowed to send a
	// header. A connection from any other address is passed through
	// untouched: what it sends is plain data. IPv4-mapped IPv6 peers
	// match IPv4 prefixes. Trusted and TrustUnix must not both be empty.
	Trusted []netip.Prefix

	// TrustUnix trusts every peer of a Unix socket listener: whoever
	// may connect to the socket's path may send a header. If false,
	// Unix socket peers are not trusted.
	TrustUnix bool

	// HeaderTimeout is the time a trusted peer has, from its accept,
	// to send its whole header; its connection is closed after it.
	// If zero, DefaultHeaderTimeout (5 s) is used.
	HeaderTimeout time.Duration

	// MaxHeaderSize bounds a version 2 header (16 bytes and the
	// announced length); a longer one closes the connection. A version
	// 1 line is at most 107 bytes whatever this says. If zero,
	// DefaultMaxHeaderSize (4096) is used; at most MaxV2Len is used.
	MaxHeaderSize int

	// MaxPending bounds the trusted connections whose header is being
	// read; past it, the listener waits for one to finish before it
	// accepts more. If zero, DefaultMaxPending (1024) is used.
	MaxPending int

	// Optional lets a trusted peer send no header: a connection whose
	// first bytes are not a PROXY signature is served with its own
	// addresses. The specification asks receivers not to guess; set it
	// only while the proxies in Trusted move to sending a header. If
	// false, a trusted peer without a header is closed.
	Optional bool

	// Logger receives one Debug record per connection closed for a bad
	// or missing header. If nil, nothing is logged.
	Logger *slog.Logger
}

// listener reads the PROXY header of each connection from a trusted
// peer before Accept returns it.
type listener struct {
	ln     net.Listener
	cfg    Config
	ready  chan net.Conn
	slots  chan struct{} // one per handshake in progress
	done   chan struct{} // closed by Close
	failed chan struct{} // closed when the accept loop ends on an error

	closing sync.Once
	err     error // why the accept loop ended; set before failed closes
	wg      sync.WaitGroup

	mu       sync.Mutex
	pending  map[net.Conn]struct{} // guarded by mu: connections being read
	closed   bool                  // guarded by mu
	acceptEr chan error            // temporary accept errors for Accept
}

// NewListener returns a listener that accepts from ln and reads the
// PROXY header of connections from cfg.Trusted. Its Accept returns a
// *Conn for those and the accepted connection itself for the others.
//
// Each header is read on a goroutine of its own, so that a slow or silent
// peer never delays the accept of others; Accept returns connections in
// the order they become ready. A server that looks at RemoteAddr right
// after Accept (for a per-IP limit) sees the header's address.
//
// The listener starts accepting from ln at once. Closing it closes ln
// and the connections whose header is still being read. NewListener
// fails with ErrNoTrustedPeers if cfg.Trusted is empty and cfg.TrustUnix
// false.
func NewListener(ln net.Listener, cfg Config) (net.Listener, error) {
	if len(cfg.Trusted) == 0 && !cfg.TrustUnix {
		return nil, ErrNoTrustedPeers
	}
	if cfg.HeaderTimeout <= 0 {
		cfg.HeaderTimeout = DefaultHeaderTimeout
	}
	if cfg.MaxHeaderSize <= 0 {
		cfg.MaxHeaderSize = DefaultMaxHeaderSize
	}
	cfg.MaxHeaderSize = min(cfg.MaxHeaderSize, MaxV2Len)
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	cfg.Trusted = append([]netip.Prefix(nil), cfg.Trusted...)
	for i, p := range cfg.Trusted {
		if n := unmapBits(p); n > 0 {
			cfg.Trusted[i] = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-n).Masked()
		}
	}
	l := &listener{
		ln:       ln,
		cfg:      cfg,
		ready:    make(chan net.Conn),
		slots:    make(chan struct{}, cfg.MaxPending),
		done:     make(chan struct{}),
		failed:   make(chan struct{}),
		pending:  make(map[net.Conn]struct{}),
		acceptEr: make(chan error),
	}
	l.wg.Add(1)
	go l.acceptLoop()
	return l, nil
}

// unmapBits is how many prefix bits Unmap removes from an IPv4-mapped
// prefix (one of at least 96 bits: a shorter one covers more than the
// mapped range and is kept as it is).
func unmapBits(p netip.Prefix) int {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return 96
	}
	return 0
}

// Accept returns the next connection that is ready: one from an
// untrusted peer, or one from a trusted peer whose header was read.
// Temporary errors of the underlying Accept are returned as they come.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case err := <-l.acceptEr:
		return nil, err
	case <-l.failed:
		return nil, l.err
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close closes the underlying listener and the connections whose header
// is being read, and waits for the listener's goroutines to end.
func (l *listener) Close() error {
	var err error
	l.closing.Do(func() {
		err = l.ln.Close()
		l.mu.Lock()
		l.closed = true
		close(l.done)
		for c := range l.pending {
			_ = c.Close()
		}
		l.mu.Unlock()
		l.wg.Wait()
	})
	return err
}

// Addr returns the underlying listener's address.
func (l *listener) Addr() net.Addr { return l.ln.Addr() }

func (l *listener) acceptLoop() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				select {
				case l.acceptEr <- err:
					continue
				case <-l.done:
					return
				}
			}
			l.err = err
			close(l.failed)
			return
		}
		if !l.trusted(c.RemoteAddr()) {
			l.deliver(c)
			continue
		}
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			_ = c.Close()
			return
		}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			_ = c.Close()
			return
		}
		l.pending[c] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go l.handshake(c)
	}
}

// isTemporary reports an accept error worth retrying (EMFILE, a reset
// before accept, ...), as the Temporary method of net.Error tells.
func isTemporary(err error) bool {
	var te interface{ Temporary() bool }
	return errors.As(err, &te) && te.Temporary()
}

// deliver hands c to Accept, or closes it when the Listener closes.
func (l *listener) deliver(c net.Conn) {
	select {
	case l.ready <- c:
	case <-l.done:
		_ = c.Close()
	}
}

// trusted reports whether a connection from addr may send a header.
func (l *listener) trusted(addr net.Addr) bool {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	case *net.UnixAddr:
		return l.cfg.TrustUnix
	default:
		return false
	}
	ip = ip.Unmap()
	for _, p := range l.cfg.Trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// handshake reads the header of c and delivers it, or closes c.
func (l *listener) handshake(c net.Conn) {
	defer l.wg.Done()
	defer func() { <-l.slots }()
	ok := false
	defer func() {
		if r := recover(); r != nil && l.cfg.Logger != nil {
			l.cfg.Logger.Error("proxyproto: panic reading a header", "remote", c.RemoteAddr().String(), "panic", r)
		}
		l.mu.Lock()
		delete(l.pending, c)
		l.mu.Unlock()
		if !ok {
			_ = c.Close()
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(l.cfg.HeaderTimeout))
	h, pend, err := readHeader(c, l.cfg.MaxHeaderSize, l.cfg.Optional)
	if err == nil {
		err = c.SetReadDeadline(time.Time{})
	}
	if err != nil {
		if l.cfg.Logger != nil {
			l.cfg.Logger.Debug("proxyproto: closing connection", "remote", c.RemoteAddr().String(), "err", err)
		}
		return
	}
	ok = true
	l.mu.Lock()
	delete(l.pending, c)
	l.mu.Unlock()
	l.deliver(newConn(c, h, pend))
}

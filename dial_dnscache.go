package volt

import (
	"context"
	"net"
	"sync"
	"time"
)

// dnsCache holds the addresses of recently dialled host names for a
// Dialer. Concurrent lookups of one name are merged: the first caller
// looks it up, the others wait for its answer. Failed lookups are not
// cached.
//
// The first lookup of a name runs on its own goroutine, under a context
// that ends only when every caller waiting for it gave up: one caller's
// cancelled context never fails the others, and each caller returns as
// soon as its own context ends.
type dnsCache struct {
	mu sync.Mutex
	m  map[string]*dnsEntry // guarded by mu
}

// dnsEntry is one host name. Its fields are guarded by dnsCache.mu; ips
// is replaced on refresh, never changed in place, so a caller may keep
// the slice it read.
type dnsEntry struct {
	ips        []net.IPAddr
	err        error         // of the first lookup; the entry is dropped
	expires    time.Time     // zero until the first lookup is done
	ready      chan struct{} // closed when the first lookup is done
	refreshing bool          // a caller is looking the name up again

	waiters int                // callers waiting for the first lookup
	cancel  context.CancelFunc // ends the first lookup
}

// lookup returns the addresses of host, from the cache while they are
// younger than DNSCacheTTL. The returned slice is shared: do not modify it.
func (d *Dialer) lookup(ctx context.Context, host string, trace *ClientTrace) ([]net.IPAddr, error) {
	if trace != nil && trace.DNSStart != nil {
		trace.DNSStart(host)
	}
	ips, cached, err := d.cachedLookup(ctx, host)
	if trace != nil && trace.DNSDone != nil {
		trace.DNSDone(DNSDoneInfo{Addrs: ips, Err: err, Cached: cached})
	}
	return ips, err
}

func (d *Dialer) cachedLookup(ctx context.Context, host string) (ips []net.IPAddr, cached bool, err error) {
	ttl := d.DNSCacheTTL
	if ttl == 0 {
		ttl = DefaultDNSCacheTTL
	}
	if ttl < 0 {
		ips, err = d.resolve(ctx, host)
		return ips, false, err
	}
	c := &d.dns
	c.mu.Lock()
	e := c.m[host]
	switch {
	case e == nil:
		e = &dnsEntry{ready: make(chan struct{}), waiters: 1}
		c.insert(host, e, d.DNSCacheSize)
		// Detached from ctx (its values kept): the waiters end it.
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		e.cancel = cancel
		c.mu.Unlock()
		go d.firstLookup(lctx, host, e, ttl)
		ips, err = d.waitLookup(ctx, host, e)
		return ips, false, err
	case e.expires.IsZero():
		// Another caller is looking the name up: wait for its answer.
		e.waiters++
		c.mu.Unlock()
		ips, err = d.waitLookup(ctx, host, e)
		return ips, false, err
	case time.Now().Before(e.expires) || e.refreshing:
		ips = e.ips
		c.mu.Unlock()
		return ips, true, nil
	}
	// Expired: this caller refreshes the entry; the others keep using the
	// old addresses until it is done.
	e.refreshing = true
	c.mu.Unlock()
	ips, err = d.resolve(ctx, host)
	c.mu.Lock()
	e.refreshing = false
	if err == nil {
		e.ips = ips
		e.expires = time.Now().Add(ttl)
	} else if c.m[host] == e && ctx.Err() == nil {
		// A failed lookup drops the entry; a caller that gave up leaves
		// it for the next one to refresh.
		delete(c.m, host)
	}
	c.mu.Unlock()
	return ips, false, err
}

// firstLookup makes the first lookup of host for the callers waiting on e.
func (d *Dialer) firstLookup(ctx context.Context, host string, e *dnsEntry, ttl time.Duration) {
	ips, err := d.resolve(ctx, host)
	c := &d.dns
	c.mu.Lock()
	e.ips, e.err = ips, err
	e.expires = time.Now().Add(ttl)
	if err != nil && c.m[host] == e {
		delete(c.m, host)
	}
	close(e.ready)
	c.mu.Unlock()
	e.cancel()
}

// waitLookup waits for the first lookup of host, or for ctx to end. The
// last waiter to give up stops the lookup, and takes the entry out of the
// cache so that a later caller starts a new one.
func (d *Dialer) waitLookup(ctx context.Context, host string, e *dnsEntry) ([]net.IPAddr, error) {
	c := &d.dns
	select {
	case <-e.ready:
		c.mu.Lock()
		defer c.mu.Unlock()
		return e.ips, e.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	select {
	case <-e.ready:
		// Done just now: the answer is there.
		ips, err := e.ips, e.err
		c.mu.Unlock()
		if err == nil {
			return ips, nil
		}
	default:
		e.waiters--
		if e.waiters == 0 {
			if c.m[host] == e {
				delete(c.m, host)
			}
			e.cancel()
		}
		c.mu.Unlock()
	}
	return nil, ctx.Err()
}

// insert adds e, first making room if the cache holds size entries:
// expired entries go first, then an arbitrary one. Called with mu held.
func (c *dnsCache) insert(host string, e *dnsEntry, size int) {
	if size <= 0 {
		size = DefaultDNSCacheSize
	}
	if c.m == nil {
		c.m = make(map[string]*dnsEntry)
	}
	if len(c.m) >= size {
		now := time.Now()
		for h, x := range c.m {
			if !x.expires.IsZero() && !x.refreshing && now.After(x.expires) {
				delete(c.m, h)
			}
		}
		for h := range c.m {
			if len(c.m) < size {
				break
			}
			delete(c.m, h)
		}
	}
	c.m[host] = e
}

// resolve looks host up without the cache.
func (d *Dialer) resolve(ctx context.Context, host string) ([]net.IPAddr, error) {
	var ips []net.IPAddr
	var err error
	if d.LookupIPAddr != nil {
		ips, err = d.LookupIPAddr(ctx, host)
	} else {
		ips, err = net.DefaultResolver.LookupIPAddr(ctx, host)
	}
	if err == nil && len(ips) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return ips, err
}

package middleware

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/volthttp/volt"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestRateLimitBurst(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	cfg := RateLimitConfig{Rate: 2, Burst: 3}
	cfg.SetNow(clock.now)
	h := RateLimit(cfg)(ok)
	status := func() (int, string) {
		ctx := newCtx("GET", "/")
		h(ctx)
		return ctx.Response.StatusCode(), string(ctx.Response.Header.Peek("Retry-After"))
	}
	// A burst of 3 passes; the 4th and 5th are over the rate.
	for i := 0; i < 3; i++ {
		if s, _ := status(); s != 200 {
			t.Fatalf("request %d: %d", i, s)
		}
	}
	for i := 0; i < 2; i++ {
		if s, retry := status(); s != 429 || retry != "1" {
			t.Fatalf("over the burst: %d Retry-After %q", s, retry)
		}
	}
	// 0.5 s gives one token back at 2/s.
	clock.add(500 * time.Millisecond)
	if s, _ := status(); s != 200 {
		t.Fatalf("after refill: %d", s)
	}
	if s, _ := status(); s != 429 {
		t.Fatalf("refill gave more than one token: %d", s)
	}
	// A long pause refills to the burst, not beyond.
	clock.add(time.Hour)
	for i := 0; i < 3; i++ {
		if s, _ := status(); s != 200 {
			t.Fatalf("after pause, request %d: %d", i, s)
		}
	}
	if s, _ := status(); s != 429 {
		t.Fatal("bucket grew past its burst")
	}

	// A slow rate: Retry-After in whole seconds, rounded up.
	cfg = RateLimitConfig{Rate: 0.1, Limited: func(ctx *volt.RequestCtx) { ctx.SetStatusCode(503) }}
	cfg.SetNow(clock.now)
	h = RateLimit(cfg)(ok)
	status()
	if s, retry := status(); s != 503 || retry != "10" {
		t.Fatalf("custom Limited: %d Retry-After %q", s, retry)
	}
}

func TestRateLimitPerClient(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	l := newLimiter(RateLimitConfig{Rate: 1, Burst: 1, now: clock.now})
	ip := func(s string) netip.Addr { return l.key(netip.MustParseAddr(s)) }
	if _, ok := l.allow(ip("192.0.2.1")); !ok {
		t.Fatal("first client refused")
	}
	if _, ok := l.allow(ip("192.0.2.2")); !ok {
		t.Fatal("second client shares the first's bucket")
	}
	if _, ok := l.allow(ip("192.0.2.1")); ok {
		t.Fatal("first client not limited")
	}
	// IPv6 clients are counted by /64.
	if _, ok := l.allow(ip("2001:db8:1:2::1")); !ok {
		t.Fatal("IPv6 client refused")
	}
	if _, ok := l.allow(ip("2001:db8:1:2:ffff::9")); ok {
		t.Fatal("same /64 not limited")
	}
	if _, ok := l.allow(ip("2001:db8:1:3::1")); !ok {
		t.Fatal("another /64 limited")
	}
	// Idle buckets are swept, shard by shard, as the shard is used.
	a := ip("192.0.2.1")
	s := &l.shards[shardOf(a)]
	var other netip.Addr
	for c := netip.MustParseAddr("203.0.113.1"); !other.IsValid(); c = c.Next() {
		if shardOf(c) == shardOf(a) {
			other = c
		}
	}
	l.allow(other)
	if len(s.buckets) < 2 {
		t.Fatalf("%d buckets in the shard", len(s.buckets))
	}
	clock.add(time.Minute)
	l.allow(a)
	if len(s.buckets) != 1 || s.buckets[a] == nil {
		t.Errorf("%d buckets after the sweep, want 1", len(s.buckets))
	}
}

func TestRateLimitMaxClients(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1e9, 0)}
	l := newLimiter(RateLimitConfig{Rate: 1, Burst: 1, MaxClients: 1, now: clock.now})
	// One client per shard: the others of a shard share its overflow
	// bucket, so that memory stays bounded.
	var a, b netip.Addr
	for i := 1; ; i++ {
		c := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		if !a.IsValid() {
			a = c
		} else if shardOf(c) == shardOf(a) {
			b = c
			break
		}
	}
	l.allow(a)
	if _, ok := l.allow(b); !ok {
		t.Fatal("overflow client refused its first request")
	}
	c := netip.AddrFrom4([4]byte{10, 9, 9, 9})
	for shardOf(c) != shardOf(a) {
		c = c.Next()
	}
	if _, ok := l.allow(c); ok {
		t.Fatal("overflow bucket not shared")
	}
}

// TestRateLimitServed: a burst from one address is limited, another
// address is not, and a forged X-Forwarded-For from an untrusted peer
// does not get around the limit.
func TestRateLimitServed(t *testing.T) {
	addr := serveTCP(t, RateLimit(RateLimitConfig{Rate: 0.01, Burst: 2})(ok))
	c := dialFrom(t, addr, "127.0.0.5")
	for i, want := range []int{200, 200, 429, 429} {
		resp, _ := c.do("GET", "/", "X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
		if resp.StatusCode != want {
			t.Fatalf("request %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 429 && resp.Header.Get("Retry-After") != "100" {
			t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
	}
	if resp, _ := dialFrom(t, addr, "127.0.0.6").do("GET", "/"); resp.StatusCode != 200 {
		t.Errorf("other client: %d", resp.StatusCode)
	}
}

// TestRateLimitUntrustworthyForwardingRefused checks that a request whose
// forwarding header cannot be walked is refused with 400, not counted
// against (and let through on) the trusted proxy's own bucket.
func TestRateLimitUntrustworthyForwardingRefused(t *testing.T) {
	cfg := RateLimitConfig{Rate: 1, Burst: 100, Proxies: Proxies{Trusted: MustParsePrefixes("0.0.0.0/32")}}
	reached := 0
	h := RateLimit(cfg)(func(ctx *volt.RequestCtx) { reached++ })
	var many []string
	for range 17 {
		many = append(many, "X-Forwarded-For", "203.0.113.1")
	}
	for _, hdr := range [][]string{many, {"X-Forwarded-For", "203.0.113.1,junk"}, {"Forwarded", "for=1.2.3.4"}} {
		ctx := newCtx("GET", "/", hdr...)
		h(ctx)
		if hdr[0] == "Forwarded" {
			// Not the configured header: ignored, the client is the peer.
			if ctx.Response.StatusCode() != 200 {
				t.Errorf("%q: got %d, want 200", hdr[1], ctx.Response.StatusCode())
			}
			continue
		}
		if got := ctx.Response.StatusCode(); got != 400 {
			t.Errorf("%d fields %q: got %d, want 400", len(hdr)/2, hdr[1], got)
		}
	}
	if reached != 1 {
		t.Errorf("next handler reached %d times, want 1", reached)
	}
}

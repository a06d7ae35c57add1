package middleware

import (
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/volthttp/volt"
)

// RateLimitConfig configures RateLimit.
type RateLimitConfig struct {
	// Rate is the sustained number of requests per second a client may
	// make. If zero, 10.
	Rate float64

	// Burst is the number of requests a client may make at once, after a
	// quiet period: the size of its token bucket. If zero, Rate rounded
	// up (at least 1).
	Burst int

	// Proxies finds the client's address behind trusted proxies. If
	// zero, the client is the connection's peer, and forwarding headers
	// are ignored (a client cannot dodge the limit by forging them).
	Proxies Proxies

	// IPv6Prefix is the length of the IPv6 prefix that counts as one
	// client, since a single host usually holds a whole /64. If zero,
	// 64; 128 counts each address.
	IPv6Prefix int

	// MaxClients bounds the number of clients tracked. Buckets that have
	// refilled are dropped as the limiter goes; past MaxClients, new
	// clients share one bucket until some are. If zero, 100,000.
	MaxClients int

	// Limited answers a request over the limit; the Retry-After header
	// is already set. If nil, the answer is 429 Too Many Requests as
	// text/plain.
	Limited volt.RequestHandler

	// now returns the time; tests replace it.
	now func() time.Time
}

// RateLimit returns middleware that limits each client (by address, see
// cfg.Proxies) to cfg.Rate requests per second with bursts of cfg.Burst,
// with a token bucket per client. A request over the limit gets 429 Too
// Many Requests with a Retry-After header (whole seconds until a token
// is back) and does not reach the next handler. A request whose client is
// unknown (cfg.Proxies.ClientIP fails on the forwarding header a trusted
// proxy passed on) gets 400 Bad Request and does not reach it either: it
// is neither counted against the proxy nor let through.
//
// Clients are kept in 64 locked shards; a request of a known client
// allocates nothing.
func RateLimit(cfg RateLimitConfig) Middleware {
	l := newLimiter(cfg)
	return func(next volt.RequestHandler) volt.RequestHandler {
		return func(ctx *volt.RequestCtx) {
			ip, err := cfg.Proxies.ClientIP(ctx)
			if err != nil {
				ctx.Error(volt.StatusMessage(volt.StatusBadRequest), volt.StatusBadRequest)
				return
			}
			if wait, ok := l.allow(l.key(ip)); !ok {
				var b [20]byte
				ctx.Response.Header.SetStatusCode(volt.StatusTooManyRequests)
				retry := strconv.AppendInt(b[:0], int64(math.Ceil(wait.Seconds())), 10)
				if cfg.Limited != nil {
					ctx.Response.Header.Set("Retry-After", string(retry))
					cfg.Limited(ctx)
				} else {
					ctx.Error(volt.StatusMessage(volt.StatusTooManyRequests), volt.StatusTooManyRequests)
				}
				ctx.Response.Header.Set("Retry-After", string(retry))
				return
			}
			next(ctx)
		}
	}
}

const limiterShards = 64

type limiter struct {
	rate       float64 // tokens per second
	burst      float64
	v6bits     int
	maxPer     int // clients per shard
	sweepEvery time.Duration
	now        func() time.Time
	shards     [limiterShards]limiterShard
}

type limiterShard struct {
	mu        sync.Mutex
	buckets   map[netip.Addr]*bucket
	overflow  bucket // shared by the clients past maxPer
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(cfg RateLimitConfig) *limiter {
	l := &limiter{rate: cfg.Rate, burst: float64(cfg.Burst), v6bits: cfg.IPv6Prefix, now: cfg.now}
	if l.rate <= 0 {
		l.rate = 10
	}
	if l.burst <= 0 {
		l.burst = max(1, math.Ceil(l.rate))
	}
	if l.v6bits <= 0 || l.v6bits > 128 {
		l.v6bits = 64
	}
	maxClients := cfg.MaxClients
	if maxClients <= 0 {
		maxClients = 100_000
	}
	l.maxPer = max(1, maxClients/limiterShards)
	if l.now == nil {
		l.now = time.Now
	}
	// A bucket is full again burst/rate after its last request: sweeping
	// that often drops idle clients soon enough.
	l.sweepEvery = max(time.Second, time.Duration(l.burst/l.rate*float64(time.Second)))
	for i := range l.shards {
		l.shards[i].buckets = make(map[netip.Addr]*bucket)
		l.shards[i].overflow.tokens = l.burst
	}
	return l
}

// key returns the address that identifies the client of ip.
func (l *limiter) key(ip netip.Addr) netip.Addr {
	if ip.Is6() && l.v6bits < 128 {
		p, _ := ip.Prefix(l.v6bits)
		return p.Addr()
	}
	return ip
}

// allow takes a token from the bucket of key; if there is none, it
// returns how long until there is one.
func (l *limiter) allow(key netip.Addr) (time.Duration, bool) {
	s := &l.shards[shardOf(key)]
	now := l.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastSweep) >= l.sweepEvery {
		l.sweep(s, now)
	}
	b := s.buckets[key]
	if b == nil {
		if len(s.buckets) >= l.maxPer {
			b = &s.overflow
		} else {
			b = &bucket{tokens: l.burst, last: now}
			s.buckets[key] = b
		}
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}

// sweep drops the buckets of s that are full again.
func (l *limiter) sweep(s *limiterShard, now time.Time) {
	s.lastSweep = now
	for k, b := range s.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(s.buckets, k)
		}
	}
}

func shardOf(a netip.Addr) int {
	b := a.As16()
	var h uint32 = 2166136261
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h % limiterShards)
}

package volt

import (
	"sync"
	"sync/atomic"
	"time"
)

// BalancingClient is a client LBClient can spread requests over; HostClient
// is one.
type BalancingClient interface {
	DoDeadline(req *Request, resp *Response, deadline time.Time) error
	PendingRequests() int
}

// DefaultLBClientTimeout bounds an LBClient request when Timeout is zero.
const DefaultLBClientTimeout = 5 * time.Second

// DefaultLBPenalty is how long an LBClient avoids a backend after a failure
// when Penalty is zero.
const DefaultLBPenalty = 3 * time.Second

// LBClient spreads requests over several clients (typically one HostClient
// per upstream machine): each request goes to the backend with the fewest
// requests in flight, and a backend that just failed is avoided for a
// while. It is safe for concurrent use. Clients must not change after the
// first request.
//
//	lb := &volt.LBClient{Clients: []volt.BalancingClient{
//		&volt.HostClient{Addr: "10.0.0.1:8080"},
//		&volt.HostClient{Addr: "10.0.0.2:8080"},
//	}}
//	err := lb.Do(req, resp)
type LBClient struct {
	// Clients are the backends.
	Clients []BalancingClient

	// HealthCheck tells whether a finished request shows a healthy
	// backend. If nil, a request is healthy when it returned no error and
	// its status is below 500.
	HealthCheck func(req *Request, resp *Response, err error) bool

	// Timeout bounds each request. If zero, DefaultLBClientTimeout (5 s).
	Timeout time.Duration

	// Penalty is how long a failed backend is avoided. If zero,
	// DefaultLBPenalty (3 s).
	Penalty time.Duration

	once     sync.Once
	backends []*lbBackend
	next     atomic.Uint32
}

type lbBackend struct {
	c           BalancingClient
	unhealthyAt atomic.Int64 // UnixNano of the last failure; 0: healthy
	failures    atomic.Int64
}

func (c *LBClient) init() {
	c.once.Do(func() {
		for _, bc := range c.Clients {
			c.backends = append(c.backends, &lbBackend{c: bc})
		}
	})
}

// Do sends req to the least busy healthy backend.
func (c *LBClient) Do(req *Request, resp *Response) error {
	t := c.Timeout
	if t <= 0 {
		t = DefaultLBClientTimeout
	}
	return c.DoDeadline(req, resp, time.Now().Add(t))
}

// DoTimeout is Do with its own timeout.
func (c *LBClient) DoTimeout(req *Request, resp *Response, timeout time.Duration) error {
	return c.DoDeadline(req, resp, time.Now().Add(timeout))
}

// DoDeadline is Do with a deadline.
func (c *LBClient) DoDeadline(req *Request, resp *Response, deadline time.Time) error {
	c.init()
	b := c.pick()
	if b == nil {
		return ErrNoBackends
	}
	err := b.c.DoDeadline(req, resp, deadline)
	healthy := err == nil && resp.StatusCode() < 500
	if c.HealthCheck != nil {
		healthy = c.HealthCheck(req, resp, err)
	}
	if healthy {
		b.unhealthyAt.Store(0)
	} else {
		b.failures.Add(1)
		b.unhealthyAt.Store(time.Now().UnixNano())
	}
	return err
}

// pick returns the healthy backend with the fewest pending requests,
// starting the scan at a rotating index so that ties spread. When every
// backend is penalised, the one that failed longest ago is tried.
func (c *LBClient) pick() *lbBackend {
	n := len(c.backends)
	if n == 0 {
		return nil
	}
	penalty := c.Penalty
	if penalty <= 0 {
		penalty = DefaultLBPenalty
	}
	now := time.Now().UnixNano()
	start := int(c.next.Add(1))
	var best, oldest *lbBackend
	bestPending := int(^uint(0) >> 1)
	for i := 0; i < n; i++ {
		b := c.backends[(start+i)%n]
		if at := b.unhealthyAt.Load(); at != 0 && now-at < int64(penalty) {
			if oldest == nil || at < oldest.unhealthyAt.Load() {
				oldest = b
			}
			continue
		}
		if p := b.c.PendingRequests(); p < bestPending {
			best, bestPending = b, p
		}
	}
	if best == nil {
		return oldest
	}
	return best
}
